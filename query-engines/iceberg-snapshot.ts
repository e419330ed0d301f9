/**
 * The files of one Iceberg table snapshot, as a query engine reads them: the shape
 * local-lake/lib/iceberg-files.ts builds from the table's metadata and the DuckDB engine takes.
 */
/** One file of a snapshot: where it is on this machine, and its path as Iceberg wrote it. */
export interface IcebergFile {
    /** Absolute file system path. */
    path: string;
    /** `file_path` exactly as in the manifest: what position delete files name (`file:/...`). */
    uri: string;
}

/** An Iceberg type as the metadata JSON writes it: `"long"`, `"decimal(10, 2)"`, or a nested `{ type: "struct" | "list" | "map", ... }`. */
export type IcebergType = string | { type: string; [key: string]: unknown };

export interface IcebergField {
    id: number;
    name: string;
    type: IcebergType;
    required: boolean;
}

/** One snapshot of an Iceberg table, as files to read. */
export interface IcebergSnapshotFiles {
    /** The metadata JSON file read (absolute path). */
    metadataFile: string;
    /** The snapshot read, as decimal text (64-bit ids); null when the table has no snapshot yet. */
    snapshotId: string | null;
    /** The table's columns at that snapshot: the current schema, or the snapshot's own when one is asked for. */
    schema: IcebergField[];
    /** Live data files (Parquet), sorted by path. */
    dataFiles: IcebergFile[];
    /** Live position delete files (Parquet, columns `file_path` and `pos`), sorted by path. */
    deleteFiles: IcebergFile[];
}
