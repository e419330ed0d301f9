import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import * as YAML from "yaml";
import { MEDALLION_LAKE_TYPE } from "medallion-lake";
import { EnvironmentSettings, environmentSettings } from "../../stacks/automation";
import { runUnderMocks } from "../../local-lake/lib/mock-run";
import { createLake } from "../../stacks/program";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const ROOT = path.resolve(__dirname, "../..");

/** The stack config as the program sees it after `config set-all --json`: structured values, secrets flagged. */
function programConfig(settings: EnvironmentSettings) {
    const entries = Object.entries(settings.config);
    return {
        config: Object.fromEntries(entries.map(([k, v]) => [k, v.objectValue ?? v.value])),
        secretKeys: entries.filter(([, v]) => v.secret).map(([k]) => k),
    };
}

describe("the stack program under the SDK's mocks, from stamped settings", () => {
    it("registers the lake for the requested environment with the secret password kept secret", async () => {
        const lake = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config["medallion-lake:lake"];
        const settings = environmentSettings({ env: "qa", lake, baseDir: ROOT, region: "eu-west-1", secrets: { ecommDbPassword: "qa-pass-123" } });
        const result = await runUnderMocks({ stack: "qa", ...programConfig(settings), program: () => createLake({ baseDir: PROJECT_ROOT }).outputs() });

        const components = result.resources.filter((r) => r.type === MEDALLION_LAKE_TYPE);
        expect(components).to.have.length(1);
        expect(result.outputs.environment).to.equal("qa");
        expect(result.outputs.workgroupName).to.equal("tickit-qa");
        expect(result.outputs.databaseNames).to.include({ bronze: "tickit_qa_bronze", gold: "tickit_qa_gold" });
        expect(result.outputs.workgroupArn).to.contain(":eu-west-1:");

        const withPassword = result.resources.filter((r) => JSON.stringify(r.inputs).includes("qa-pass-123"));
        expect(withPassword.map((r) => r.type)).to.deep.equal(["aws:secretsmanager/secretVersion:SecretVersion"]);
        expect(withPassword[0].secretPaths).to.include("secretString");
    });
});
