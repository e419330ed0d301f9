import { expect } from "chai";
import { secretConfigRef } from "../../stacks/program";
import { parseLakeConfig } from "medallion-lake";
import { lifecycleOptions, lakeTags } from "../../packages/medallion-lake/src/component/context";
import { rawLake } from "../support/helpers";
import { loadStackConfig, PROJECT_ROOT } from "../../stacks/stack-config";

describe("stack program helpers", () => {
    it("resolves passwordSecret names to config namespace and key", () => {
        expect(secretConfigRef("ecommDbPassword")).to.deep.equal({ namespace: "medallion-lake", key: "ecommDbPassword" });
        expect(secretConfigRef("other:pw")).to.deep.equal({ namespace: "other", key: "pw" });
    });

    it("loads a stack file into Pulumi config keys", () => {
        const { config, secretKeys } = loadStackConfig("prod");
        expect(config["aws:region"]).to.equal("us-east-1");
        expect((config["medallion-lake:lake"] as any).name).to.equal("tickit");
        expect(secretKeys).to.deep.equal([]);
        expect(() => loadStackConfig("nope")).to.throw(/Pulumi\.nope\.yaml does not exist/);
    });

    it("decides protect and retainOnDelete per resource kind", () => {
        const prod = parseLakeConfig(rawLake("prod"), PROJECT_ROOT);
        const dev = parseLakeConfig(rawLake("dev"), PROJECT_ROOT);
        expect(lifecycleOptions(prod, "data")).to.deep.equal({ protect: true, retainOnDelete: true });
        expect(lifecycleOptions(prod, "infra")).to.deep.equal({ protect: true, retainOnDelete: false });
        expect(lifecycleOptions(dev, "data")).to.deep.equal({ protect: false, retainOnDelete: false });
    });

    it("tags with the config tags plus lake and environment", () => {
        expect(lakeTags(parseLakeConfig(rawLake("dev"), PROJECT_ROOT), "dev")).to.deep.equal({ team: "data-platform", "cost-center": "analytics-dev", lake: "tickit", environment: "dev" });
    });
});
