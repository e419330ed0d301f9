/**
 * The contract arguments of each Glue job. Their names are defined once, in the `medallion`
 * package's `job_arguments.json` (which the Glue jobs load at run time); this module reads the
 * package's copy of that file (assets/glue-scripts/medallion/job_arguments.json) and fills in the
 * values. Glue system arguments are added by jobs.ts.
 */
import { Layer } from "./naming";
import { readAssetJson } from "./package-assets";

const contract = readAssetJson<{ jobs: Record<Layer, { required: string[]; optional: string[] }> }>("glue-scripts/medallion/job_arguments.json");

/** Required and optional argument names (without `--`) per job, as in `job_arguments.json`. */
export const JOB_ARGUMENT_CONTRACT: Record<Layer, { required: string[]; optional: string[] }> = contract.jobs;

export interface JobPaths {
    /** Where the job reads the lake spec JSON (`s3://...` or `file:///...`). */
    lakeSpec: string;
    environment: string;
    bronzePath: string;
    silverPath: string;
    goldPath: string;
}

/** Which value fills each contract argument the component supplies. */
const ARGUMENT_VALUES: Record<string, keyof JobPaths> = {
    lake_spec: "lakeSpec",
    environment: "environment",
    bronze_path: "bronzePath",
    silver_path: "silverPath",
    gold_path: "goldPath",
};

/**
 * The `--name: value` arguments a layer's job requires.
 * @throws Error for an unknown layer, or a required argument the component has no value for.
 */
export function jobArguments(layer: Layer, paths: JobPaths): Record<string, string> {
    const names = JOB_ARGUMENT_CONTRACT[layer];
    if (!names) throw new Error(`jobArguments: unknown layer "${String(layer)}", expected one of ${Object.keys(JOB_ARGUMENT_CONTRACT).join(", ")}`);
    return Object.fromEntries(
        names.required.map((name) => {
            const value = ARGUMENT_VALUES[name];
            if (!value) throw new Error(`jobArguments: job_arguments.json requires --${name} of the ${layer} job, which the component has no value for`);
            return [`--${name}`, paths[value]];
        }),
    );
}
