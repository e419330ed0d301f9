/**
 * The forget (erasure) job's arguments (docs/erasure.md). Their names come from the `forget` entry of
 * `job_arguments.json`, like the layer jobs'; `table` and `key` name the data subject and are given
 * per run (`npm run forget`, `aws glue start-job-run`), never as the job's default arguments.
 */
import { JOB_ARGUMENT_CONTRACT, JobPaths } from "./job-arguments";

/** The forget job's entry in `job_arguments.json`. */
const CONTRACT = (JOB_ARGUMENT_CONTRACT as unknown as Record<string, { required: string[]; optional: string[] }>).forget;

/** The arguments a forget run names its subject with. */
export const FORGET_RUN_ARGUMENTS = ["table", "key"] as const;

/** Which value fills each path argument. */
const PATH_VALUES: Record<string, keyof JobPaths> = {
    lake_spec: "lakeSpec",
    environment: "environment",
    bronze_path: "bronzePath",
    silver_path: "silverPath",
    gold_path: "goldPath",
};

/**
 * The forget job's `--name: value` default arguments: every required argument but the per-run ones.
 * @throws Error when `job_arguments.json` has no forget job, or requires an argument nothing fills.
 */
export function forgetDefaultArguments(paths: JobPaths): Record<string, string> {
    if (!CONTRACT) throw new Error("job_arguments.json defines no forget job");
    const perRun: readonly string[] = FORGET_RUN_ARGUMENTS;
    return Object.fromEntries(
        CONTRACT.required
            .filter((name) => !perRun.includes(name))
            .map((name) => {
                const value = PATH_VALUES[name];
                if (!value) throw new Error(`forgetDefaultArguments: job_arguments.json requires --${name} of the forget job, which nothing fills`);
                return [`--${name}`, paths[value]];
            }),
    );
}

/** A forget run's subject: `--table <source>.<table>` and `--key` as the job takes it (a JSON object). */
export function forgetRunArguments(table: string, key: Record<string, string>): Record<string, string> {
    return { "--table": table, "--key": JSON.stringify(key) };
}
