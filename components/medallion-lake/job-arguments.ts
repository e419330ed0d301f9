/**
 * The contract arguments of each Glue job (see glue-scripts/job_arguments.json, the shared
 * definition that tests on both sides check against). Glue system arguments are added by jobs.ts.
 */
import { Layer } from "./naming";

export interface JobPaths {
    /** Where the job reads the lake spec JSON (`s3://...` or `file:///...`). */
    lakeSpec: string;
    environment: string;
    bronzePath: string;
    silverPath: string;
    goldPath: string;
}

/** Which contract arguments each layer's job receives, in order. */
const LAYER_ARGUMENTS: Record<Layer, (keyof JobPaths)[]> = {
    bronze: ["lakeSpec", "environment", "bronzePath"],
    silver: ["lakeSpec", "environment", "bronzePath", "silverPath"],
    gold: ["lakeSpec", "environment", "silverPath", "goldPath"],
};

const ARGUMENT_NAMES: Record<keyof JobPaths, string> = {
    lakeSpec: "--lake_spec",
    environment: "--environment",
    bronzePath: "--bronze_path",
    silverPath: "--silver_path",
    goldPath: "--gold_path",
};

/** The `--name: value` arguments a layer's job needs. */
export function jobArguments(layer: Layer, paths: JobPaths): Record<string, string> {
    const args = LAYER_ARGUMENTS[layer];
    if (!args) throw new Error(`jobArguments: unknown layer "${String(layer)}", expected one of bronze, silver, gold`);
    return Object.fromEntries(args.map((key) => [ARGUMENT_NAMES[key], paths[key]]));
}
