/**
 * The stack config the local lake runs: the same `Pulumi.<stack>.yaml` and the same validation and
 * lake spec as `pulumi up`, so local and AWS runs share one definition.
 */
import { LakeConfig, LakeSpec, lakeSpec, parseLakeConfig } from "medallion-lake";
import { LAKE_CONFIG_KEY, loadStackConfig, PROJECT_ROOT } from "../../stacks/stack-config";

export { LAKE_CONFIG_KEY };

export interface LakeStack {
    stack: string;
    config: LakeConfig;
    spec: LakeSpec;
    /** `aws:region` of the stack, for the Athena client. */
    region: string | undefined;
}

/**
 * Reads and validates `Pulumi.<stack>.yaml` in the absolute folder `root` (default the project folder),
 * where its relative paths (`catalog`, `gold.models`) start; errors name the file and every bad field.
 */
export function loadLakeStack(stack: string, root: string = PROJECT_ROOT): LakeStack {
    const { config: raw } = loadStackConfig(stack, root);
    const file = `Pulumi.${stack}.yaml`;
    if (raw[LAKE_CONFIG_KEY] === undefined) throw new Error(`${file} has no "${LAKE_CONFIG_KEY}" config object`);
    try {
        const config = parseLakeConfig(raw[LAKE_CONFIG_KEY], root);
        const region = typeof raw["aws:region"] === "string" ? (raw["aws:region"] as string) : undefined;
        return { stack, config, spec: lakeSpec(config, stack), region };
    } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
    }
}
