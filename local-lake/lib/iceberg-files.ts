/**
 * Which files make up one snapshot of an Iceberg table on the local file system: its live data files
 * and the position delete files to apply to them, read from the table's metadata alone (the Glue
 * table parameter `metadata_location`), so that a query engine reads the table and not whatever
 * Parquet lies in its folder (files of older snapshots, rows deleted since).
 *
 * Follows the Iceberg table spec (apache/iceberg format/spec.md, format versions 1 and 2):
 * - table metadata: `format-version`, `current-snapshot-id` (-1 or null when the table has no
 *   snapshot yet), `snapshots[]` with `snapshot-id`, `schema-id` and `manifest-list` (v1 may list
 *   `manifests` instead), `schemas[]`/`current-schema-id` (v1: `schema`);
 * - "Manifest Lists": Avro records `manifest_file` with `manifest_path` and `content`
 *   (0: data, 1: deletes; absent in v1, where every manifest is a data manifest);
 * - "Manifests": Avro records `manifest_entry` with `status` (0 EXISTING, 1 ADDED, 2 DELETED;
 *   "Deletes are informational only and not used in scans") and `data_file` with `content`
 *   (0 DATA, 1 POSITION DELETES, 2 EQUALITY DELETES; absent in v1), `file_path` ("Full URI for the
 *   file with FS scheme") and `file_format`;
 * - "Position Delete Files": rows `file_path` ("must match the file_path of the target data file in a
 *   manifest entry") and `pos` (row position in that file, "starting at 0").
 * A position delete applies to a data file whose data sequence number is not greater than its own;
 * data file paths are unique within a table (writers name them with UUIDs), so matching the path
 * alone is exact here. Equality deletes are refused (Spark never writes them; Flink and others do),
 * as are format version 3 (deletion vectors, default values, row lineage) and non-Parquet files.
 */
import * as fs from "fs";
import * as zlib from "zlib";
import type { IcebergField, IcebergFile, IcebergSnapshotFiles } from "../../query-engines/iceberg-snapshot";
import { readAvroFile } from "./avro";

/**
 * The absolute path of a local Iceberg location: `file:/abs`, `file:///abs`, `file://localhost/abs`
 * or a bare absolute path. Hadoop's file system (which wrote them) does not percent-encode paths,
 * so none is decoded. Any other scheme fails.
 */
export function icebergLocalPath(location: string): string {
    const match = /^(?:file:(?:\/\/(?:localhost)?)?)?(\/(?!\/).*)$/.exec(location);
    if (!match) throw new Error(`Iceberg location ${location} is not a local file (expected file:/..., file:///... or an absolute path)`);
    return match[1];
}

interface Snapshot {
    "snapshot-id": string;
    "schema-id"?: number;
    "manifest-list"?: string;
    manifests?: string[];
}
interface TableMetadata {
    "format-version"?: number;
    "current-snapshot-id"?: string | null;
    "current-schema-id"?: number;
    schemas?: { "schema-id": number; fields: IcebergField[] }[];
    schema?: { fields: IcebergField[] };
    snapshots?: Snapshot[];
}

/** Snapshot ids are 64-bit: quoted before parsing so that no digit is lost to JS numbers. */
function parseMetadata(text: string): TableMetadata {
    return JSON.parse(text.replace(/("(?:current-snapshot-id|snapshot-id|parent-snapshot-id)"\s*:\s*)(-?\d+)/g, '$1"$2"')) as TableMetadata;
}

function readMetadata(file: string): TableMetadata {
    try {
        const raw = fs.readFileSync(file);
        // Iceberg's `write.metadata.compression-codec=gzip` writes `<name>.gz.metadata.json`.
        const text = (raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw).toString("utf8");
        return parseMetadata(text);
    } catch (e) {
        throw new Error(`cannot read Iceberg table metadata ${file}: ${(e as Error).message}`);
    }
}

function schemaFields(metadata: TableMetadata, schemaId: number | undefined, file: string): IcebergField[] {
    const schema = metadata.schemas?.find((s) => s["schema-id"] === schemaId) ?? (schemaId === undefined ? metadata.schema : undefined);
    if (!schema) throw new Error(`Iceberg table metadata ${file} has no schema ${schemaId ?? "(none current)"}`);
    return schema.fields.map(({ id, name, type, required }) => ({ id, name, type, required }));
}

/** The manifests of a snapshot, each with its content: 0 data, 1 deletes (v1 lists, and v1 `manifests`, hold data only). */
function snapshotManifests(snapshot: Snapshot): { path: string; content: number }[] {
    if (snapshot["manifest-list"]) {
        return readAvroFile(icebergLocalPath(snapshot["manifest-list"])).records.map((m) => ({
            path: String(m.manifest_path),
            content: Number(m.content ?? 0),
        }));
    }
    return (snapshot.manifests ?? []).map((path) => ({ path, content: 0 }));
}

/**
 * The live data and position delete files of a table's current snapshot, or of `snapshotId` (time
 * travel: any snapshot the metadata still lists). A table without a snapshot has no files. Fails
 * clearly on an unknown snapshot, equality deletes, non-Parquet files and format versions above 2.
 */
export function icebergFiles(metadataLocation: string, options: { snapshotId?: string | bigint } = {}): IcebergSnapshotFiles {
    const metadataFile = icebergLocalPath(metadataLocation);
    const metadata = readMetadata(metadataFile);
    const table = `Iceberg table ${metadataFile}`;
    const version = metadata["format-version"] ?? 1;
    if (version > 2) throw new Error(`${table} has format version ${version}: only versions 1 and 2 are supported`);
    const current = metadata["current-snapshot-id"];
    const asked = options.snapshotId === undefined ? undefined : String(options.snapshotId);
    if (asked !== undefined && !/^-?\d+$/.test(asked)) throw new Error(`${table}: snapshot id ${asked} is not a whole number`);
    const wanted = asked === undefined ? (current === "-1" ? null : (current ?? null)) : BigInt(asked).toString();
    // The current snapshot reads with the table's current columns; an older one with its own.
    const currentSchema = () => schemaFields(metadata, metadata["current-schema-id"], metadataFile);
    if (wanted === null) return { metadataFile, snapshotId: null, schema: currentSchema(), dataFiles: [], deleteFiles: [] };
    const snapshot = (metadata.snapshots ?? []).find((s) => s["snapshot-id"] === wanted);
    if (!snapshot) {
        const known = (metadata.snapshots ?? []).map((s) => s["snapshot-id"]).join(", ") || "none";
        throw new Error(`${table} has no snapshot ${wanted} (never existed or expired); its snapshots: ${known}`);
    }
    const schema = options.snapshotId === undefined || snapshot["schema-id"] === undefined ? currentSchema() : schemaFields(metadata, snapshot["schema-id"], metadataFile);

    const dataFiles: IcebergFile[] = [];
    const deleteFiles: IcebergFile[] = [];
    for (const manifest of snapshotManifests(snapshot)) {
        if (manifest.content !== 0 && manifest.content !== 1) throw new Error(`${table}: manifest ${manifest.path} has unknown content ${manifest.content}`);
        for (const entry of readAvroFile(icebergLocalPath(manifest.path)).records) {
            if (Number(entry.status) === 2) continue; // DELETED: informational only
            const file = entry.data_file as { content?: number | null; file_path: string; file_format: string };
            const content = Number(file.content ?? 0);
            if (content === 2) {
                throw new Error(
                    `${table} has equality delete files (${file.file_path}), which are not supported: ` +
                        "Spark writes position deletes only; rewrite the table's data files (Spark's rewrite_data_files procedure) to apply them",
                );
            }
            if (content !== 0 && content !== 1) throw new Error(`${table}: ${file.file_path} has unknown content ${content}`);
            if (String(file.file_format).toUpperCase() !== "PARQUET") {
                throw new Error(`${table}: ${file.file_path} is ${file.file_format}; only Parquet data and delete files are supported`);
            }
            (content === 0 ? dataFiles : deleteFiles).push({ path: icebergLocalPath(file.file_path), uri: file.file_path });
        }
    }
    const byPath = (a: IcebergFile, b: IcebergFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    return { metadataFile, snapshotId: wanted, schema, dataFiles: dataFiles.sort(byPath), deleteFiles: deleteFiles.sort(byPath) };
}
