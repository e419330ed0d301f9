/**
 * `npm run query`: the same SQL against the local lake (DuckDB over its Parquet) or an AWS stack's
 * lake (Athena in the stack's workgroup), behind the one QueryEngine interface.
 */
import { resourcePrefix } from "../../components/medallion-lake";
import { AthenaQueryEngine } from "../../query-engines/athena";
import { DuckDbQueryEngine } from "../../query-engines/duckdb";
import { QueryEngine } from "../../query-engines/engine";
import { loadLakeStack } from "./config";
import { lakeTables } from "./lake-files";
import { defaultDataDir, lakeLayout } from "./layout";

export type EngineName = "duckdb" | "athena";

/** DuckDB for the `local` stack (the lake `npm run lake` builds), Athena for every AWS stack. */
export function defaultEngine(stack: string): EngineName {
    return stack === "local" ? "duckdb" : "athena";
}

export interface OpenedEngine {
    engine: QueryEngine;
    /** What the engine queries, for the user: `DuckDB over /x/.local-lake (tickit_local_silver, ...)`. */
    target: string;
}

export async function openEngine(options: { stack: string; engine?: EngineName; dataDir?: string }): Promise<OpenedEngine> {
    const lake = loadLakeStack(options.stack);
    const engine = options.engine ?? defaultEngine(options.stack);
    if (engine === "duckdb") {
        const layout = lakeLayout(options.dataDir ?? defaultDataDir(options.stack));
        const tables = lakeTables(lake.spec, layout);
        if (tables.length === 0) throw new Error(`the local lake in ${layout.dataDir} has no silver or gold data for stack "${options.stack}": run \`npm run lake${options.stack === "local" ? "" : ` -- --stack ${options.stack}`}\` first`);
        const databases = [...new Set(tables.map((t) => t.database))].join(", ");
        return { engine: await DuckDbQueryEngine.open(tables), target: `DuckDB over ${layout.lakeDir} (databases ${databases}; bronze Avro is not queryable here)` };
    }
    const workGroup = resourcePrefix(lake.config.name, lake.spec.environment);
    return {
        engine: new AthenaQueryEngine({ workGroup, region: lake.region }),
        target: `Athena workgroup ${workGroup} in ${lake.region ?? "the default region"} (databases ${Object.values(lake.spec.databases).join(", ")})`,
    };
}

/** Rewrites the AWS SDK's "no credentials" failures into what to do about them; other errors pass through. */
export function explainQueryError(error: Error, engine: EngineName): Error {
    const text = `${error.name} ${error.message}`;
    if (engine === "athena" && /credential|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|security token/i.test(text)) {
        return new Error(
            `Athena needs AWS credentials for the stack's account (${error.message}). ` +
                "Set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`; " +
                "to query the local lake instead use `--engine duckdb` (or `--stack local`).",
        );
    }
    return error;
}
