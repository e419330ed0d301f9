import * as avro from "avsc";
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { bigintLongType, readAvroFile } from "../../local-lake/lib/avro";
import { icebergFiles, icebergLocalPath } from "../../local-lake/lib/iceberg-files";
import type { IcebergSnapshotFiles } from "../../query-engines/iceberg-snapshot";
import { parquetTables, readCatalog } from "../../local-lake/lib/lake-files";
import { lakeLayout, PROJECT_ROOT } from "../../local-lake/lib/layout";
import { previewDataset } from "../../local-lake/lib/preview";
import { DuckDbQueryEngine, duckDbType, ParquetTable } from "../../query-engines/duckdb";
import { rejection } from "../support/rejection";

/** What tests/local-lake/fixtures/iceberg_tables.py wrote (see its docstring for the tables' history). */
interface Fixture {
    warehouse: string;
    items: { metadata: string; snapshots: string[] };
    empty: { metadata: string };
}

async function selectAll(tables: ParquetTable[], sql: string) {
    const engine = await DuckDbQueryEngine.open(tables);
    try {
        return await engine.query(sql);
    } finally {
        await engine.close();
    }
}

const table = (name: string, iceberg: IcebergSnapshotFiles): ParquetTable => ({ database: "db", table: name, location: "/nowhere", iceberg });

/** An Avro container file written with avsc (longs as bigint); a `codec` other than null or deflate is written uncompressed under that name. */
function writeAvro(file: string, schema: object, records: object[], codec = "deflate"): Promise<void> {
    return new Promise((resolve, reject) => {
        const passThrough = (buf: Buffer, cb: (e: Error | null, out?: Buffer) => void) => cb(null, buf);
        const codecs = codec === "null" || codec === "deflate" ? undefined : { [codec]: passThrough };
        const encoder = avro.createFileEncoder(file, bigintLongType(schema as avro.Schema) as unknown as avro.Schema, { codec, codecs });
        encoder.on("error", reject);
        encoder.on("finish", () => setTimeout(resolve, 50));
        for (const r of records) encoder.write(r);
        encoder.end();
    });
}

describe("Iceberg tables: a snapshot's files, read by DuckDB", () => {
    let dir: string;
    let fixture: Fixture;

    before(async function () {
        this.timeout(600_000);
        // A space in the path: Iceberg's file URIs and DuckDB's file names must still meet.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "iceberg files "));
        const script = path.join(PROJECT_ROOT, "tests", "local-lake", "fixtures", "iceberg_tables.py");
        await promisify(execFile)(path.join(PROJECT_ROOT, ".venv", "bin", "python"), [script, dir], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 }).catch((e: Error & { stderr?: string }) => {
            throw new Error(`the Iceberg fixture failed: ${e.message}\n${(e.stderr ?? "").slice(-4000)}`);
        });
        fixture = JSON.parse(fs.readFileSync(path.join(dir, "tables.json"), "utf8")) as Fixture;
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("turns Iceberg's local locations into paths, and refuses the others", () => {
        expect(icebergLocalPath("file:/lake/silver/t/metadata/v2.metadata.json")).to.equal("/lake/silver/t/metadata/v2.metadata.json");
        expect(icebergLocalPath("file:///lake/a b/x.avro")).to.equal("/lake/a b/x.avro");
        expect(icebergLocalPath("file://localhost/lake/x")).to.equal("/lake/x");
        expect(icebergLocalPath("/lake/x")).to.equal("/lake/x");
        expect(() => icebergLocalPath("s3://bucket/t/metadata/v1.metadata.json")).to.throw("s3://bucket/t/metadata/v1.metadata.json is not a local file");
        expect(() => icebergLocalPath("file://otherhost/x")).to.throw("is not a local file");
        expect(() => icebergLocalPath("lake/x")).to.throw("is not a local file");
    });

    it("lists the live data and position delete files of the current snapshot and of an older one", () => {
        const [first, , , last] = fixture.items.snapshots;
        const current = icebergFiles(fixture.items.metadata);
        expect(current.snapshotId).to.equal(last);
        expect(current.schema.map((f) => f.name)).to.deep.equal(["id", "name", "price", "sold_on", "region", "note"]);
        // Insert: 2 files (east, west); MERGE: 2 data files + 2 position delete files; DELETE: 1 delete file; last insert: 1.
        expect(current.dataFiles).to.have.length(5);
        expect(current.deleteFiles).to.have.length(3);
        for (const file of [...current.dataFiles, ...current.deleteFiles]) {
            expect(file.uri).to.match(/^file:\//);
            expect(file.path.startsWith(path.join(dir, "warehouse", "db", "items", "data") + path.sep)).to.equal(true, file.path);
            expect(fs.existsSync(file.path)).to.equal(true, file.path);
        }
        const old = icebergFiles(fixture.items.metadata, { snapshotId: first });
        expect(old.snapshotId).to.equal(first);
        expect(old.schema.map((f) => f.name)).to.deep.equal(["id", "name", "price", "sold_on", "region"]);
        expect(old.dataFiles).to.have.length(2);
        expect(old.deleteFiles).to.deep.equal([]);
        // The same snapshot by a bigint id (64-bit ids survive the metadata JSON).
        expect(icebergFiles(fixture.items.metadata, { snapshotId: BigInt(first) }).dataFiles).to.deep.equal(old.dataFiles);
    });

    it("DuckDB reads the current snapshot: updated rows once, deleted rows never, a column added later as NULL", async () => {
        const result = await selectAll([table("items", icebergFiles(fixture.items.metadata))], `SELECT * FROM "db"."items" ORDER BY id`);
        expect(result.columns).to.deep.equal([
            { name: "id", type: "integer" },
            { name: "name", type: "varchar" },
            { name: "price", type: "decimal(10,2)" },
            { name: "sold_on", type: "date" },
            { name: "region", type: "varchar" },
            { name: "note", type: "varchar" },
        ]);
        expect(result.rows).to.deep.equal([
            { id: 2, name: "brioche", price: "2.75", sold_on: "2024-01-02", region: "east", note: null },
            { id: 4, name: "dates", price: "3.10", sold_on: "2024-01-04", region: "west", note: null },
            { id: 5, name: "eggs", price: "4.40", sold_on: "2024-02-05", region: "west", note: null },
            { id: 6, name: "figs", price: "5.00", sold_on: "2024-03-06", region: "east", note: "added with note" },
        ]);
    });

    it("the live data files alone still hold the deleted and the replaced rows (what reading the folder would return)", async () => {
        const files = icebergFiles(fixture.items.metadata);
        const result = await selectAll([table("items", { ...files, deleteFiles: [] })], `SELECT name FROM "db"."items" ORDER BY name`);
        expect(result.rows.map((r) => r.name)).to.deep.equal(["apple", "bread", "brioche", "cheese", "dates", "eggs", "figs"]);
    });

    it("DuckDB reads older snapshots (time travel) with their own columns", async () => {
        const [first, second] = fixture.items.snapshots;
        const tables = [
            table("items_first", icebergFiles(fixture.items.metadata, { snapshotId: first })),
            table("items_second", icebergFiles(fixture.items.metadata, { snapshotId: second })),
        ];
        const engine = await DuckDbQueryEngine.open(tables);
        try {
            const firstRows = await engine.query(`SELECT * FROM "db"."items_first" ORDER BY id`);
            expect(firstRows.columns.map((c) => c.name)).to.deep.equal(["id", "name", "price", "sold_on", "region"]);
            expect(firstRows.rows).to.deep.equal([
                { id: 1, name: "apple", price: "1.50", sold_on: "2024-01-01", region: "east" },
                { id: 2, name: "bread", price: "2.25", sold_on: "2024-01-02", region: "east" },
                { id: 3, name: "cheese", price: "7.00", sold_on: "2024-01-03", region: "west" },
                { id: 4, name: "dates", price: "3.10", sold_on: "2024-01-04", region: "west" },
            ]);
            // After the MERGE: bread updated to brioche, cheese deleted, eggs inserted; apple not yet deleted.
            const secondRows = await engine.query(`SELECT id, name, price FROM "db"."items_second" ORDER BY id`);
            expect(secondRows.rows).to.deep.equal([
                { id: 1, name: "apple", price: "1.50" },
                { id: 2, name: "brioche", price: "2.75" },
                { id: 4, name: "dates", price: "3.10" },
                { id: 5, name: "eggs", price: "4.40" },
            ]);
        } finally {
            await engine.close();
        }
    });

    it("a table without a snapshot is an empty view with the table's columns and types", async () => {
        const files = icebergFiles(fixture.empty.metadata);
        expect(files).to.include({ snapshotId: null });
        expect(files.dataFiles).to.deep.equal([]);
        const result = await selectAll([table("empty", files)], `SELECT * FROM "db"."empty"`);
        expect(result.rows).to.deep.equal([]);
        expect(result.columns).to.deep.equal([
            { name: "b", type: "boolean" },
            { name: "i", type: "integer" },
            { name: "l", type: "bigint" },
            { name: "f", type: "float" },
            { name: "d", type: "double" },
            { name: "m", type: "decimal(38,6)" },
            { name: "dt", type: "date" },
            { name: "ts", type: "timestamp with time zone" },
            { name: "ts_ntz", type: "timestamp" },
            { name: "s", type: "varchar" },
            { name: "bin", type: "blob" },
        ]);
    });

    it("an unknown snapshot id fails naming it and the snapshots there are", () => {
        const [first, second, third, fourth] = fixture.items.snapshots;
        expect(() => icebergFiles(fixture.items.metadata, { snapshotId: "123" })).to.throw(
            `has no snapshot 123 (never existed or expired); its snapshots: ${first}, ${second}, ${third}, ${fourth}`,
        );
        expect(() => icebergFiles(fixture.items.metadata, { snapshotId: "latest" })).to.throw("snapshot id latest is not a whole number");
        expect(() => icebergFiles(fixture.empty.metadata, { snapshotId: first })).to.throw(`has no snapshot ${first} (never existed or expired); its snapshots: none`);
    });

    it("the saved Glue catalog: table_type ICEBERG (any case) makes an Iceberg table, whose current snapshot DuckDB reads", async () => {
        const layout = lakeLayout(path.join(dir, "lake-data"));
        fs.mkdirSync(layout.catalogDir, { recursive: true });
        const glue = (Name: string, Parameters: Record<string, string>, Location: string) => ({ table: { Name, Parameters, StorageDescriptor: { Location } } });
        const itemsFolder = path.join(fixture.warehouse, "db", "items");
        const catalog = {
            databases: [
                {
                    database: { Name: "tickit_local_silver" },
                    tables: [
                        glue("items", { table_type: "iceberg", metadata_location: fixture.items.metadata }, `file://${itemsFolder}`),
                        glue("empty", { table_type: "ICEBERG", metadata_location: fixture.empty.metadata }, `file://${path.join(fixture.warehouse, "db", "empty")}`),
                        glue("plain", { classification: "parquet" }, "local:///silver/plain/"), // no files: left out, as before
                    ],
                },
            ],
        };
        fs.writeFileSync(path.join(layout.catalogDir, "catalog.json"), JSON.stringify(catalog));
        expect(readCatalog(layout).map(({ table, format, metadataLocation }) => ({ table, format, metadataLocation }))).to.deep.equal([
            { table: "items", format: "iceberg", metadataLocation: fixture.items.metadata },
            { table: "empty", format: "iceberg", metadataLocation: fixture.empty.metadata },
            { table: "plain", format: "parquet", metadataLocation: undefined },
        ]);
        const tables = parquetTables(layout);
        expect(tables.map((t) => [t.table, t.location, t.iceberg?.dataFiles.length])).to.deep.equal([
            ["items", itemsFolder, 5],
            ["empty", path.join(fixture.warehouse, "db", "empty"), 0],
        ]);
        const engine = await DuckDbQueryEngine.open(tables);
        try {
            const items = await engine.query(`SELECT id FROM "tickit_local_silver"."items" ORDER BY id`);
            expect(items.rows).to.deep.equal([{ id: 2 }, { id: 4 }, { id: 5 }, { id: 6 }]);
            expect((await engine.query(`SELECT count(*) AS n FROM "tickit_local_silver"."empty"`)).rows).to.deep.equal([{ n: 0 }]);
        } finally {
            await engine.close();
        }

        catalog.databases[0].tables.push(glue("broken", { table_type: "ICEBERG", metadata_location: `file:${dir}/missing.metadata.json` }, ""));
        fs.writeFileSync(path.join(layout.catalogDir, "catalog.json"), JSON.stringify(catalog));
        expect(() => parquetTables(layout)).to.throw(`cannot read Iceberg table tickit_local_silver.broken: cannot read Iceberg table metadata ${dir}/missing.metadata.json`);
    });

    it("npm run preview reads an Iceberg dataset's current snapshot, found through the saved catalog, not its folder's files", async () => {
        const layout = lakeLayout(path.join(dir, "preview-data"));
        fs.mkdirSync(layout.lakeDir, { recursive: true });
        fs.symlinkSync(fixture.warehouse, layout.layers.silver); // silver/db/items is the fixture's table
        fs.mkdirSync(layout.catalogDir, { recursive: true });
        const items = { Name: "db_items", Parameters: { table_type: "ICEBERG", metadata_location: fixture.items.metadata }, StorageDescriptor: { Location: "local:///silver/db/items/" } };
        fs.writeFileSync(path.join(layout.catalogDir, "catalog.json"), JSON.stringify({ databases: [{ database: { Name: "silver" }, tables: [{ table: items }] }] }));
        const preview = await previewDataset(layout, "silver/db/items", 10);
        expect(preview).to.include({ format: "iceberg", files: 5, location: path.join(layout.layers.silver, "db", "items") });
        expect(preview.rows.map((r) => [r.id, r.name]).sort()).to.deep.equal([
            [2, "brioche"],
            [4, "dates"],
            [5, "eggs"],
            [6, "figs"],
        ]);
    });

    it("refuses data files without Parquet field ids clearly, before DuckDB fails on them", async () => {
        const files = icebergFiles(fixture.items.metadata);
        const foreign = path.join(dir, "foreign.parquet");
        const writer = await DuckDbQueryEngine.open([]);
        await writer.query(`COPY (SELECT 7 AS id) TO '${foreign}' (FORMAT parquet)`);
        await writer.close();
        const error = await rejection(DuckDbQueryEngine.open([table("items", { ...files, dataFiles: [...files.dataFiles, { path: foreign, uri: `file:${foreign}` }] })]));
        expect(error.message).to.equal(`DuckDB could not expose db.items (/nowhere): Iceberg data files without Parquet field ids are not supported: ${foreign}`);
    });

    it("maps Iceberg's primitive types to DuckDB's, and refuses nested ones", () => {
        expect(["int", "long", "decimal(10, 2)", "decimal(38,0)", "fixed[16]", "uuid", "time"].map(duckDbType)).to.deep.equal([
            "INTEGER",
            "BIGINT",
            "DECIMAL(10,2)",
            "DECIMAL(38,0)",
            "BLOB",
            "UUID",
            "TIME",
        ]);
        expect(() => duckDbType({ type: "list", "element-id": 3, element: "int", "element-required": false })).to.throw('Iceberg type {"type":"list"');
        expect(() => duckDbType("toString")).to.throw('Iceberg type "toString" has no DuckDB view yet');
    });

    describe("hand-written metadata (format v1, equality deletes, codecs)", () => {
        const manifestList = {
            type: "record",
            name: "manifest_file",
            fields: [
                { name: "manifest_path", type: "string" },
                { name: "content", type: ["null", "int"], default: null },
            ],
        };
        const manifest = {
            type: "record",
            name: "manifest_entry",
            fields: [
                { name: "status", type: "int" },
                { name: "snapshot_id", type: ["null", "long"], default: null },
                {
                    name: "data_file",
                    type: {
                        type: "record",
                        name: "r2",
                        fields: [
                            { name: "content", type: ["null", "int"], default: null },
                            { name: "file_path", type: "string" },
                            { name: "file_format", type: "string" },
                        ],
                    },
                },
            ],
        };
        let meta: string;

        /** A table of one snapshot (id 2^62 + 1, beyond JS numbers) with one manifest of `entries`. */
        async function handWritten(name: string, formatVersion: number, entries: object[], codec = "deflate"): Promise<string> {
            const folder = path.join(meta, name);
            fs.mkdirSync(folder, { recursive: true });
            await writeAvro(path.join(folder, "m0.avro"), manifest, entries, codec);
            await writeAvro(path.join(folder, "snap.avro"), manifestList, [{ manifest_path: `file:${folder}/m0.avro`, content: formatVersion === 1 ? null : 0 }]);
            const metadata = `{"format-version": ${formatVersion}, "current-snapshot-id": 4611686018427387905, "current-schema-id": 0,
                "schemas": [{"schema-id": 0, "type": "struct", "fields": [{"id": 1, "name": "id", "required": false, "type": "long"}]}],
                "snapshots": [{"snapshot-id": 4611686018427387905, "schema-id": 0, "manifest-list": "file://${folder}/snap.avro"}]}`;
            fs.writeFileSync(path.join(folder, "v1.metadata.json"), metadata);
            return `file:${folder}/v1.metadata.json`;
        }
        const entry = (status: number, content: number | null, file: string, format = "PARQUET") => ({
            status,
            snapshot_id: 4611686018427387905n,
            data_file: { content, file_path: `file:/data/${file}`, file_format: format },
        });

        before(() => {
            meta = path.join(dir, "hand-written");
        });

        it("skips DELETED entries, reads v1 manifests (no content fields) and 64-bit ids exactly", async () => {
            const location = await handWritten("v1", 1, [entry(1, null, "a.parquet"), entry(2, null, "gone.parquet"), entry(0, null, "b.parquet")]);
            const files = icebergFiles(location);
            expect(files.snapshotId).to.equal("4611686018427387905");
            expect(files.dataFiles).to.deep.equal([
                { path: "/data/a.parquet", uri: "file:/data/a.parquet" },
                { path: "/data/b.parquet", uri: "file:/data/b.parquet" },
            ]);
            expect(files.deleteFiles).to.deep.equal([]);
            expect(readAvroFile(icebergLocalPath(location).replace("v1.metadata.json", "m0.avro")).records[0].snapshot_id).to.equal(4611686018427387905n);
        });

        it("refuses equality deletes, saying Spark does not write them", async () => {
            const location = await handWritten("equality", 2, [entry(1, 0, "a.parquet"), entry(1, 2, "eq-deletes.parquet")]);
            expect(() => icebergFiles(location)).to.throw(/has equality delete files \(file:\/data\/eq-deletes\.parquet\), which are not supported: Spark writes position deletes only/);
        });

        it("refuses files DuckDB's Parquet reader cannot read, and format version 3", async () => {
            expect(() => icebergFiles("/")).to.throw("cannot read Iceberg table metadata /: ");
            const orc = await handWritten("orc", 2, [entry(1, 0, "a.orc", "ORC")]);
            expect(() => icebergFiles(orc)).to.throw("file:/data/a.orc is ORC; only Parquet data and delete files are supported");
            const v3 = await handWritten("v3", 3, []);
            expect(() => icebergFiles(v3)).to.throw("has format version 3: only versions 1 and 2 are supported");
        });

        it("names an Avro codec it cannot decompress", async () => {
            const location = await handWritten("zstd", 2, [entry(1, 0, "a.parquet")], "zstandard");
            expect(() => icebergFiles(location)).to.throw(`cannot read Avro file ${path.join(meta, "zstd", "m0.avro")}: unsupported codec "zstandard" (supported: null, snappy, deflate)`);
        });
    });
});
