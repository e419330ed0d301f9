import { ResourceRule } from "../resource";

const WORKGROUP = "aws:athena/workgroup:Workgroup";

/** Athena's smallest accepted per-query cutoff (10 MB). */
export const MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;

type WorkgroupConfiguration = {
    enforceWorkgroupConfiguration?: boolean;
    bytesScannedCutoffPerQuery?: number;
    resultConfiguration?: { encryptionConfiguration?: { encryptionOption?: string; kmsKeyArn?: string } };
};
const configuration = (props: Record<string, any>) => (props.configuration ?? {}) as WorkgroupConfiguration;

export const athenaEnforceWorkgroupConfiguration: ResourceRule = {
    kind: "resource",
    name: "athena-enforce-workgroup-configuration",
    description: "Athena workgroups enforce their configuration, so a client cannot override the result location, encryption or cutoff.",
    level: "mandatory",
    types: [WORKGROUP],
    check(r) {
        return configuration(r.props).enforceWorkgroupConfiguration === true ? [] : ["configuration.enforceWorkgroupConfiguration is not true"];
    },
};

export const athenaEncryptResults: ResourceRule = {
    kind: "resource",
    name: "athena-encrypt-results",
    description: "Athena workgroups encrypt query results with KMS (SSE_KMS or CSE_KMS), since results copy lake data.",
    level: "mandatory",
    types: [WORKGROUP],
    check(r) {
        const enc = configuration(r.props).resultConfiguration?.encryptionConfiguration;
        if (enc?.encryptionOption !== "SSE_KMS" && enc?.encryptionOption !== "CSE_KMS") {
            return [`configuration.resultConfiguration.encryptionConfiguration.encryptionOption is ${JSON.stringify(enc?.encryptionOption ?? null)}, expected SSE_KMS or CSE_KMS`];
        }
        return enc.kmsKeyArn ? [] : ["result encryption has no kmsKeyArn"];
    },
};

export const athenaBytesScannedCutoff: ResourceRule = {
    kind: "resource",
    name: "athena-bytes-scanned-cutoff",
    description: "Athena workgroups cap the bytes one query may scan, bounding the cost of a runaway query.",
    level: "mandatory",
    types: [WORKGROUP],
    check(r) {
        const cutoff = configuration(r.props).bytesScannedCutoffPerQuery;
        if (typeof cutoff !== "number") return ["configuration.bytesScannedCutoffPerQuery is not set"];
        return cutoff >= MIN_BYTES_SCANNED_CUTOFF ? [] : [`configuration.bytesScannedCutoffPerQuery ${cutoff} is below Athena's minimum ${MIN_BYTES_SCANNED_CUTOFF}`];
    },
};

export const athenaRules = [athenaEnforceWorkgroupConfiguration, athenaEncryptResults, athenaBytesScannedCutoff];
