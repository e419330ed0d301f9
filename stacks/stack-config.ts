/**
 * Reading a stack's committed config file (`Pulumi.<env>.yaml`) without the Pulumi CLI: used by the
 * Automation API CLI, the local lake, the policy check and the tests.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** The repository root (the folder holding Pulumi.yaml). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");
/** The stack config key holding the lake's config object. */
export const LAKE_CONFIG_KEY = "medallion-lake:lake";

/**
 * Loads `Pulumi.<env>.yaml` from the absolute folder `root` (default the project folder) into a config
 * map keyed like Pulumi's (`medallion-lake:lake`, `aws:region`). Secure values (`{ secure: ... }`) are
 * listed in `secretKeys`; they are ciphertext and must be replaced by the caller to be usable. The
 * lake config's relative paths (`catalog`, `gold.models`) start at `root`.
 */
export function loadStackConfig(env: string, root: string = PROJECT_ROOT): { config: Record<string, unknown>; secretKeys: string[] } {
    if (!path.isAbsolute(root)) throw new Error(`loadStackConfig: the stack folder must be an absolute path, got "${root}"`);
    const file = path.join(root, `Pulumi.${env}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`loadStackConfig: ${file} does not exist (no stack "${env}")`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const config: Record<string, unknown> = doc.config ?? {};
    const secretKeys = Object.entries(config)
        .filter(([, v]) => v !== null && typeof v === "object" && "secure" in (v as object))
        .map(([k]) => k);
    return { config: { ...config }, secretKeys };
}
