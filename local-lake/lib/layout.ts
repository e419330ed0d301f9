/**
 * Where the local lake keeps everything, under one project-local data folder (`.local-lake/` by
 * default, gitignored). The lake folders are laid out exactly as the S3 buckets are.
 */
import * as path from "path";
import { pathToFileURL } from "url";
import { Layer } from "medallion-lake";
import { PROJECT_ROOT } from "../../stacks/stack-config";

// The component's layer names and the repository root, re-exported for the local lake's modules.
export { LAYERS } from "medallion-lake";
export type { Layer };
export { PROJECT_ROOT };

export const DEFAULT_DATA_DIR = path.join(PROJECT_ROOT, ".local-lake");

/**
 * Data folder of a stack's local lake when none is given: `.local-lake/` for `local`, and
 * `.local-lake/stacks/<stack>/` for the others, so that running another stack's config locally never
 * mixes its watermarks and tables with the local stack's.
 */
export function defaultDataDir(stack: string): string {
    return stack === "local" ? DEFAULT_DATA_DIR : path.join(DEFAULT_DATA_DIR, "stacks", stack);
}


export interface LakeLayout {
    dataDir: string;
    /** Database servers' data, servers.json and connections.json (the localdb `--data-dir`). */
    sourcesDir: string;
    /** The local Glue Data Catalog server's folder: its state file, log and the saved catalog (`catalog.json`). */
    catalogDir: string;
    /** The local Trino server's configuration, data and log. */
    trinoDir: string;
    /** One folder per bucket: bronze, silver, gold, assets. */
    lakeDir: string;
    layers: Record<Layer, string>;
    assetsDir: string;
    /** The lake spec the jobs read (on AWS the component uploads it to the assets bucket). */
    specFile: string;
    /** The bronze job's `local_connections` file, written by `localdb load`. */
    connectionsFile: string;
    /** Full output of each job run: `<logsDir>/<batch id>-<layer>.log`. */
    logsDir: string;
}

export function lakeLayout(dataDir: string): LakeLayout {
    const root = path.resolve(dataDir);
    const lakeDir = path.join(root, "lake");
    const sourcesDir = path.join(root, "sources");
    return {
        dataDir: root,
        sourcesDir,
        catalogDir: path.join(root, "catalog"),
        trinoDir: path.join(root, "trino"),
        lakeDir,
        layers: {
            bronze: path.join(lakeDir, "bronze"),
            silver: path.join(lakeDir, "silver"),
            gold: path.join(lakeDir, "gold"),
        },
        assetsDir: path.join(lakeDir, "assets"),
        specFile: path.join(lakeDir, "assets", "lake-spec.json"),
        connectionsFile: path.join(sourcesDir, "connections.json"),
        logsDir: path.join(root, "logs"),
    };
}

/** `file:///abs/path` — what the jobs get instead of `s3://bucket`, so Spark sees the same kind of URI. */
export function fileUri(p: string): string {
    return pathToFileURL(path.resolve(p)).href;
}
