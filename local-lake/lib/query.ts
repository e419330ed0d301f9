/**
 * `npm run query`: the same SQL against the local lake — Trino (the local Athena) over the local Glue
 * catalog, or DuckDB over the Parquet and Iceberg tables of the saved catalog for instant answers — or an AWS
 * stack's lake (Athena in the stack's workgroup), behind the one QueryEngine interface.
 */
import { resourcePrefix } from "medallion-lake";
import { AthenaQueryEngine } from "../../query-engines/athena";
import { DuckDbQueryEngine } from "../../query-engines/duckdb";
import { QueryEngine } from "../../query-engines/engine";
import { loadLakeStack } from "./config";
import { TrinoQueryEngine } from "../../query-engines/trino";
import { parquetTables } from "./lake-files";
import { defaultDataDir, LakeLayout, lakeLayout } from "./layout";
import { startCatalog, startTrino, stopCatalog, stopTrino, waitForTrino } from "./localdb";

export const ENGINES = ["duckdb", "trino", "athena"] as const;
export type EngineName = (typeof ENGINES)[number];

/** DuckDB for the `local` stack (the lake `npm run lake` builds), Athena for every AWS stack. */
export function defaultEngine(stack: string): EngineName {
    return stack === "local" ? "duckdb" : "athena";
}

export interface OpenedEngine {
    engine: QueryEngine;
    /** What the engine queries, for the user: `DuckDB over /x/.local-lake (tickit_local_silver, ...)`. */
    target: string;
}

/**
 * Trino over the local lake's catalog, starting the catalog server and Trino unless they run
 * already (`npm run lake -- --keep-servers`); closing the engine stops what this call started.
 */
async function openTrino(layout: LakeLayout, databases: string[], keepServers: boolean): Promise<OpenedEngine> {
    const onProgress = (line: string) => process.stderr.write(`${line}\n`);
    const catalog = await startCatalog(layout, databases, { onProgress });
    const started = await startTrino(layout, catalog.endpoint, { onProgress });
    const trino = await waitForTrino(layout, { onProgress });
    const engine = new TrinoQueryEngine({ server: trino.url, catalog: trino.catalog });
    const stopStarted = async () => {
        if (keepServers) return;
        if (!started.reused) await stopTrino(layout);
        if (!catalog.reused) await stopCatalog(layout);
    };
    return {
        engine: { name: engine.name, query: (sql, o) => engine.query(sql, o), close: stopStarted },
        target: `Trino ${trino.url} over the Glue catalog ${catalog.endpoint} (catalog "${trino.catalog}")`,
    };
}

export async function openEngine(options: { stack: string; engine?: EngineName; dataDir?: string; keepServers?: boolean }): Promise<OpenedEngine> {
    const lake = loadLakeStack(options.stack);
    const engine = options.engine ?? defaultEngine(options.stack);
    if (engine === "duckdb" || engine === "trino") {
        const layout = lakeLayout(options.dataDir ?? defaultDataDir(options.stack));
        const tables = parquetTables(layout);
        if (tables.length === 0) throw new Error(`the local lake in ${layout.dataDir} has no catalog tables for stack "${options.stack}": run \`npm run lake${options.stack === "local" ? "" : ` -- --stack ${options.stack}`}\` first`);
        if (engine === "trino") return openTrino(layout, Object.values(lake.spec.databases), options.keepServers ?? false);
        const databases = [...new Set(tables.map((t) => t.database))].join(", ");
        return {
            engine: await DuckDbQueryEngine.open(tables),
            target: `DuckDB over the Parquet and Iceberg tables of the catalog saved in ${layout.catalogDir} (databases ${databases}; bronze Avro: use --engine trino)`,
        };
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
