import { isProductionStack, ResourceRule } from "../resource";
import { BUCKET } from "./s3";

/** A resource check that applies only in production stacks; elsewhere the resource passes. */
function inProduction(check: ResourceRule["check"]): ResourceRule["check"] {
    return (r, stack) => (isProductionStack(stack) ? check(r, stack) : []);
}

const CATALOG_DATABASE = "aws:glue/catalogDatabase:CatalogDatabase";
const KMS_KEY = "aws:kms/key:Key";
/** The random suffix of the bucket names: replacing it renames, that is replaces, every bucket. */
const RANDOM_STRING = "random:index/randomString:RandomString";

export const prodProtectData: ResourceRule = {
    kind: "resource",
    name: "prod-protect-data",
    description:
        "In production stacks, every bucket (data and the access-log audit trail), Glue catalog database, KMS key and random bucket-name suffix is protected or retained on delete, so no update or destroy can drop the data.",
    level: "mandatory",
    types: [BUCKET, CATALOG_DATABASE, KMS_KEY, RANDOM_STRING],
    check: inProduction((r, stack) =>
        r.opts.protect || r.opts.retainOnDelete ? [] : [`not protected or retained on delete in production stack "${stack}"`],
    ),
};

const SECRET = "aws:secretsmanager/secret:Secret";

export const prodNoForceDestroy: ResourceRule = {
    kind: "resource",
    name: "prod-no-force-destroy",
    description: "In production stacks no resource sets forceDestroy (which deletes a non-empty bucket or workgroup with its contents), and no secret skips its recovery window (recoveryWindowInDays 0 deletes it at once).",
    level: "mandatory",
    types: "any",
    check: inProduction((r, stack) => {
        if (r.props.forceDestroy === true) return [`forceDestroy is true in production stack "${stack}"`];
        if (r.type === SECRET && r.props.recoveryWindowInDays === 0) return [`recoveryWindowInDays is 0 (deleted without recovery) in production stack "${stack}"`];
        return [];
    }),
};

export const kmsKeyRotation: ResourceRule = {
    kind: "resource",
    name: "kms-key-rotation",
    description: "KMS keys rotate their key material yearly.",
    level: "advisory",
    types: [KMS_KEY],
    check(r) {
        return r.props.enableKeyRotation === true ? [] : ["enableKeyRotation is not true"];
    },
};

export const productionRules = [prodProtectData, prodNoForceDestroy, kmsKeyRotation];
