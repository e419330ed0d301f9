/**
 * The whole local lake, end to end, at a small scale in a temporary data folder: real PostgreSQL
 * and MariaDB, the real Glue entry scripts on local Spark registering their tables in the local
 * Glue Data Catalog (moto), and every named query on Trino (Athena's engine) through that catalog.
 * Checks the printed gold query results against localdb's independent SQL computation on the
 * source databases, that every table of every layer reads through Trino by its catalog name, that
 * a second run changes nothing but adds its batches' partitions, that the catalog survives a
 * restart of the servers, that a failing step leaves the earlier layers intact, and that rows deleted
 * at the sources leave silver (full load, reconcile: rows), audited in `_deletes`, and rows updated in
 * place on id-watermarked tables (reconcile: rows) reach it, silver then equal to the sources' cleaned
 * rows (benchmarks/drift_rows.py) and gold following, and that an erasure reaches no layer, snapshot
 * or file (erasure-e2e.ts).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LakeSpec } from "medallion-lake";
import { TrinoQueryEngine } from "../../query-engines/trino";
import { driftRows } from "../../local-lake/lib/drift-rows";
import { bronzeBatches, goldPartitionFiles, goldRunSummary, listFiles, readCatalog, tableRunSummaries } from "../../local-lake/lib/lake-files";
import { lakeLayout, LakeLayout, PROJECT_ROOT } from "../../local-lake/lib/layout";
import { runPython } from "../../local-lake/lib/python";
import { startCatalog, startServers, stopCatalog, stopServers, stopTrino, waitForTrino } from "../../local-lake/lib/localdb";
import { expectedGold } from "../support/expected-gold";
import { loadModels, runModel } from "../../local-lake/lib/model";
import { previewDataset } from "../../local-lake/lib/preview";
import { streamReporter } from "../../local-lake/lib/progress";
import { LakeRunOptions, LakeStepFailed, runLocalLake } from "../../local-lake/lib/run-lake";
import { LakeRunSummary, QueryOutcome } from "../../local-lake/lib/summary";
import { rejection } from "../support/rejection";
import { describeErasure } from "./erasure-e2e";

type Row = Record<string, unknown>;

/** Values as comparable text: engines differ in number representation, not in meaning. */
function norm(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(9);
    return String(value);
}
const pick = (row: Row, columns: string[]) => Object.fromEntries(columns.map((c) => [c, norm(row[c])]));

function queryRows(summary: LakeRunSummary, name: string): { columns: string[]; rows: Row[] } {
    const q = summary.queries.find((x: QueryOutcome) => x.name === name);
    if (!q?.result) throw new Error(`named query ${name} has no result`);
    return { columns: q.result.columns.map((c) => c.name), rows: q.result.rows };
}

/**
 * Trino of the running local lake (the runs keep their servers); `schema` resolves unqualified names.
 * As the job role (classified columns clear) unless `user` names another.
 */
async function trino(layout: LakeLayout, schema?: string, user?: string): Promise<TrinoQueryEngine> {
    const server = await waitForTrino(layout);
    return new TrinoQueryEngine({ server: server.url, catalog: server.catalog, schema, user: user ?? server.jobUser });
}

/** Every row of every silver and gold table, read through Trino by catalog name, in a stable order. */
async function layerSnapshot(spec: LakeSpec, layout: LakeLayout): Promise<Record<string, string[]>> {
    const engine = await trino(layout);
    const snapshot: Record<string, string[]> = {};
    for (const t of readCatalog(layout).filter((t) => t.database === spec.databases.silver || t.database === spec.databases.gold)) {
        const columns = t.columns.map((c) => c.name).filter((c) => c !== "_ingested_at" && c !== "_batch_id");
        const result = await engine.query(`SELECT ${[...columns, ...t.partitionKeys].map((c) => `"${c}"`).join(", ")} FROM "${t.database}"."${t.table}"`);
        snapshot[`${t.database}.${t.table}`] = result.rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? String(v) : v))).sort();
    }
    return snapshot;
}

/** Asserts that the run's printed gold query results equal localdb's independent SQL computation on the source databases. */
async function expectGoldFromSources(layout: LakeLayout, summary: LakeRunSummary): Promise<void> {
    const expected = await expectedGold(layout);
    const same = (name: string, model: string, filter: (r: Row) => boolean = () => true) => {
        const { columns, rows } = queryRows(summary, name);
        expect(rows.map((r) => pick(r, columns)), name).to.deep.equal(expected[model].filter(filter).map((r) => pick(r, columns)));
    };
    const byKeys = (keys: string[]) => (a: Row, b: Row) => keys.map((k) => String(a[k]).localeCompare(String(b[k]), "en", { numeric: true })).find((c) => c !== 0) ?? 0;

    expected.sales_by_month.sort(byKeys(["year", "month"]));
    same("gold-sales-by-month", "sales_by_month");

    expected.sales_by_category.sort((a, b) => Number(b.gross_sales) - Number(a.gross_sales) || byKeys(["catgroup", "catname"])(a, b));
    same("gold-sales-by-category", "sales_by_category");

    const latest = (rows: Row[]) => Math.max(...rows.map((r) => Number(r.year)));
    const sellersYear = latest(expected.top_sellers);
    expected.top_sellers.sort(byKeys(["rank"]));
    same("gold-top-sellers-latest-year", "top_sellers", (r) => Number(r.year) === sellersYear);
    const buyersYear = latest(expected.top_buyers);
    expected.top_buyers.sort(byKeys(["rank"]));
    same("gold-top-buyers-latest-year", "top_buyers", (r) => Number(r.year) === buyersYear);

    // Sell-through: the printed top 20 are the expected top 20, row for row.
    expected.event_performance = expected.event_performance
        .filter((r) => r.sell_through !== null)
        .sort((a, b) => Number(b.sell_through) - Number(a.sell_through) || Number(b.gross_sales) - Number(a.gross_sales) || Number(a.eventid) - Number(b.eventid))
        .slice(0, 20);
    same("gold-event-sell-through", "event_performance");
}

// Runs SQL statements in order on one connection to a source database of the local servers, not
// through the lake; prints each statement's rows as JSON.
const SOURCE_SQL = [
    "import json, sys, psycopg, pymysql",
    "s = json.load(open(sys.argv[1]))[sys.argv[2]]",
    "login = dict(host=s['host'], port=s['port'], user=s['user'], password=s['password'], autocommit=True)",
    "conn = psycopg.connect(**login, dbname=sys.argv[3]) if sys.argv[2] == 'postgres' else pymysql.connect(**login, database=sys.argv[3])",
    "out = []",
    "for statement in json.loads(sys.argv[4]):",
    "    cur = conn.cursor()",
    "    cur.execute(statement)",
    "    out.append([list(r) for r in cur.fetchall()] if cur.description else [])",
    "print(json.dumps(out, default=str))",
].join("\n");

/** Each statement's rows, run at the source database of `source` (MariaDB for mysql, else PostgreSQL). */
async function sourceSql(layout: LakeLayout, source: { engine: string; database: string }, statements: string[]): Promise<unknown[][][]> {
    const server = source.engine === "mysql" ? "mariadb" : "postgres";
    const { stdout } = await runPython(["-c", SOURCE_SQL, path.join(layout.sourcesDir, "servers.json"), server, source.database, JSON.stringify(statements)], { label: "source SQL" });
    return JSON.parse(stdout.trim().split("\n").pop() ?? "[]") as unknown[][][];
}


/**
 * A stack folder outside the repository: Pulumi.local.yaml naming a copy of its table catalog with
 * `edit` applied to the catalog's tables (the gold models stay the repository's, by absolute path).
 */
function localStackWith(prefix: string, edit: (tables: { name: string; rules?: object[]; columns?: Record<string, unknown> }[]) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const stack = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.local.yaml"), "utf8"));
    const lake = stack.config["medallion-lake:lake"];
    const catalogFile = path.join(PROJECT_ROOT, lake.catalog);
    const catalog = YAML.parse(fs.readFileSync(catalogFile, "utf8"));
    catalog.gold.models = path.resolve(path.dirname(catalogFile), catalog.gold.models);
    edit((catalog.sources as { tables: Parameters<typeof edit>[0] }[]).flatMap((s) => s.tables));
    lake.catalog = "catalog.yaml";
    fs.writeFileSync(path.join(dir, "catalog.yaml"), YAML.stringify(catalog));
    fs.writeFileSync(path.join(dir, "Pulumi.local.yaml"), YAML.stringify(stack));
    return dir;
}

describe("local lake end to end (real databases, Spark, Glue catalog, Trino)", function () {
    this.timeout(40 * 60 * 1000);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-lake-e2e-"));
    // PostgreSQL runs as the postgres user when tests run as root: it must reach its data folder.
    fs.chmodSync(dataDir, 0o755);
    const layout = lakeLayout(dataDir);
    let printed = "";
    const run = (batchId: string, extra: Partial<LakeRunOptions> = {}) =>
        runLocalLake({ scale: 0.02, dataDir, batchId, keepServers: true, maxPrintedRows: 50, reporter: streamReporter((t) => (printed += t)), ...extra });
    let first: LakeRunSummary;
    let spec: LakeSpec;

    before(async () => {
        first = await run("run1");
        spec = JSON.parse(fs.readFileSync(layout.specFile, "utf8")) as LakeSpec;
    });

    after(async () => {
        for (const stop of [stopTrino, stopServers, stopCatalog]) await stop(layout).catch(() => undefined);
        fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("runs every step, prints each layer's rows and a summary", () => {
        expect(first.ok).to.equal(true);
        expect(first.steps.map((s) => `${s.step}:${s.ok}`)).to.deep.equal(
            ["prepare", "start servers", "load", "crawl", "bronze", "silver", "gold", "query"].map((s) => `${s}:true`),
        );
        expect(printed).to.contain("PostgreSQL stands in for the sqlserver sources");
        expect(printed).to.contain("[5/8] bronze");
        expect(printed).to.match(/silver\s+ecomm\/sales\s+[\d,]+\s+\d+\s+\d+/);
        expect(printed).to.contain("local lake ready");
        // Silver reconciles with bronze for every table: nothing silently dropped.
        for (const silver of first.tables.filter((t) => t.layer === "silver")) {
            const bronze = first.tables.find((t) => t.layer === "bronze" && t.table === silver.table);
            expect((silver.rows ?? 0) + (silver.quarantined ?? 0) + (silver.duplicates ?? 0), silver.table).to.equal(bronze?.rows);
        }
        // The lake folders are laid out like the buckets.
        expect(bronzeBatches(layout.layers.bronze)).to.include(path.join("ecomm", "sales", `ingest_date=${new Date().toISOString().slice(0, 10)}`, "batch_id=run1"));
        expect(listFiles(path.join(layout.layers.silver, "ecomm", "sales"), ".parquet")).to.not.be.empty;
        // Every model the stack declares (gold-models/tickit/) is written.
        expect(goldPartitionFiles(layout.layers.gold).map((p) => p.model)).to.include.members(spec.gold.models.map((m) => m.name));
    });

    it("prints gold query results equal to the independent SQL computation on the source databases", async () => {
        await expectGoldFromSources(layout, first);
        // What was checked is what was printed.
        const month1 = queryRows(first, "gold-sales-by-month").rows[0];
        expect(printed).to.contain(`${month1.gross_sales}`);
    });

    it("keeps every event, also those whose venue is missing (139 in TICKIT)", async () => {
        const engine = await trino(layout);
        // A positional parameter, bound by Trino (EXECUTE IMMEDIATE ... USING), as Athena binds ExecutionParameters.
        const unknown = await engine.query(`SELECT count(*) AS n FROM "${spec.databases.gold}"."event_performance" WHERE "venuename" = ?`, { parameters: ["Unknown venue"] });
        expect(unknown.rows[0].n).to.equal(139);
        const events = await engine.query(`SELECT count(*) AS n FROM "${spec.databases.gold}"."event_performance"`);
        expect(events.rows[0].n).to.equal(8798);
    });

    it("registers every table of every layer, and Trino reads each by its catalog name with the rows the jobs wrote", async () => {
        const engine = await trino(layout);
        const catalog = readCatalog(layout);
        const tables = (database: string) => catalog.filter((t) => t.database === database).map((t) => t.table).sort();
        const configured = spec.sources.flatMap((s) => s.tables.map((t) => [s.name, t.name, `${s.name}_${t.name}`]));
        expect(tables(spec.databases.source)).to.deep.equal(spec.sources.flatMap((s) => s.tables.map((t) => t.catalogTable)).sort());
        expect(tables(spec.databases.bronze)).to.deep.equal(configured.map(([, , n]) => n).sort());
        expect(tables(spec.databases.silver)).to.deep.equal(configured.flatMap(([, , n]) => [n, `${n}_quarantine`]).sort());
        expect(tables(spec.databases.gold)).to.deep.equal(spec.gold.models.map((m) => m.name).sort());
        const count = async (database: string, table: string) => (await engine.query(`SELECT count(*) AS n FROM "${database}"."${table}"`)).rows[0].n;
        const rows = (layer: string, table: string) => first.tables.find((t) => t.layer === layer && t.table === table);
        for (const [source, table, name] of configured) {
            expect(await count(spec.databases.bronze, name), `bronze ${name}`).to.equal(rows("bronze", `${source}/${table}`)?.rows);
            expect(await count(spec.databases.silver, name), `silver ${name}`).to.equal(rows("silver", `${source}/${table}`)?.rows);
            expect(await count(spec.databases.silver, `${name}_quarantine`), `quarantine ${name}`).to.equal(rows("silver", `${source}/${table}`)?.quarantined);
        }
        for (const model of tables(spec.databases.gold)) expect(await count(spec.databases.gold, model), model).to.equal(rows("gold", model)?.rows);
        // Bronze Avro: decimals (Avro fixed) and timestamps resolve through the table's Avro schema.
        const bronzeSales = await engine.query(
            `SELECT "pricepaid", "_ingested_at", "ingest_date", "batch_id" FROM "${spec.databases.bronze}"."ecomm_sales" WHERE "pricepaid" IS NOT NULL LIMIT 1`,
        );
        expect(bronzeSales.columns.map((c) => c.type)).to.deep.equal(["decimal(8,2)", "timestamp", "date", "varchar"]);
        expect(bronzeSales.rows[0].pricepaid).to.match(/^\d+\.\d{2}$/);
        expect(String(bronzeSales.rows[0]._ingested_at).slice(0, 10)).to.equal(new Date().toISOString().slice(0, 10));
        expect(bronzeSales.rows[0].batch_id).to.equal("run1");
        // The crawled source tables carry the JDBC crawler's classification and connection.
        const crawled = catalog.find((t) => t.database === spec.databases.source && t.table === spec.sources[0].tables[0].catalogTable);
        expect(crawled?.format).to.equal("postgresql");
        expect(crawled?.columns.length).to.be.greaterThan(0);
    });

    it("runs each gold model's SQL unchanged on Trino (Athena's engine) with the very rows Spark wrote", async () => {
        // A model can be tried in Athena before it is deployed: its lake names resolve in the silver
        // database (TICKIT's models read no other model), and both engines agree row for row.
        const engine = await trino(layout, spec.databases.silver);
        expect(spec.gold.models).to.not.be.empty;
        for (const model of spec.gold.models) {
            const sql = fs.readFileSync(path.join(path.dirname(layout.specFile), model.file), "utf8");
            const columns = model.columns.map((c) => `"${c.name}"`).join(", ");
            const gold = `"${spec.databases.gold}"."${model.name}"`;
            const differing = (a: string, b: string) => `(SELECT count(*) FROM (SELECT ${columns} FROM ${a} EXCEPT ALL SELECT ${columns} FROM ${b}))`;
            const result = await engine.query(
                `SELECT ${differing(`(${sql})`, gold)} AS only_trino, ${differing(gold, `(${sql})`)} AS only_spark, (SELECT count(*) FROM (${sql})) AS n`,
            );
            expect(result.rows[0], model.name).to.deep.equal({ only_trino: 0, only_spark: 0, n: first.tables.find((t) => t.layer === "gold" && t.table === model.name)?.rows });
        }
    });

    it("npm run model: each model's rows and tests on Trino are the gold job's (Spark's), without a Spark job", async () => {
        const { models, spec: lastSpec } = loadModels("local", layout);
        expect(models.map((m) => m.name).sort()).to.deep.equal(spec.gold.models.map((m) => m.name).sort());
        const gold = (goldRunSummary(layout.layers.gold, "run1")?.models ?? {}) as Record<string, { tests: { rule: string; passed: boolean; failed_rows?: number; observed?: number }[] }>;
        for (const m of models) {
            const run = await runModel(m, models, lastSpec, layout);
            expect(run.result.rows.length, m.name).to.equal(first.tables.find((t) => t.layer === "gold" && t.table === m.name)?.rows);
            const byName = (a: { test: string }, b: { test: string }) => a.test.localeCompare(b.test);
            const spark = gold[m.name].tests.map((t) => ({ test: t.rule, passed: t.passed, value: t.failed_rows ?? t.observed ?? null })).sort(byName);
            expect(run.tests.map((t) => ({ test: t.test, passed: t.passed, value: t.value })).sort(byName), m.name).to.deep.equal(spark);
        }
        // TICKIT's events without a venue fail event_performance's warn test on both engines.
        expect(gold.event_performance.tests.find((t) => t.rule === "events_with_known_venue")?.passed).to.equal(false);
        expect((await rejection(runModel({ ...models[0], sql: "SELECT 1 AS n FROM ecomm_nosuch" }, models, lastSpec, layout))).message).to.contain("failed on Trino");
    });

    it("shows a consumer classified columns masked, in silver and by lineage in gold, and bronze not at all; the job role reads them clear", async () => {
        const consumer = await trino(layout, undefined, "consumer");
        const job = await trino(layout);
        // Non-null values per column: the classifications Pulumi.local.yaml declares, written out here.
        const nonNull = async (engine: TrinoQueryEngine, table: string, columns: string[]) =>
            (await engine.query(`SELECT ${columns.map((c) => `count("${c}") AS "${c}"`).join(", ")} FROM ${table}`)).rows[0];
        const person = ["username", "firstname", "lastname", "city", "state"];
        const cases: [string, string[], string[]][] = [
            [`"${spec.databases.silver}"."crm_users"`, [...person, "email", "phone"], ["userid", "likesports"]],
            [`"${spec.databases.gold}"."top_buyers"`, person, ["buyerid", "total_spent", "year"]],
            [`"${spec.databases.gold}"."sales_by_month"`, ["commission"], ["gross_sales", "month"]],
        ];
        for (const [table, classified, clear] of cases) {
            const seen = await nonNull(consumer, table, [...classified, ...clear]);
            const all = await nonNull(job, table, [...classified, ...clear]);
            for (const c of classified) expect([seen[c], all[c]], `${table}.${c}: consumer, job role`).to.satisfy(([s, a]: number[]) => s === 0 && a > 0);
            for (const c of clear) expect(seen[c], `${table}.${c}`).to.equal(all[c]).and.be.greaterThan(0);
        }
        const bronze = await rejection(consumer.query(`SELECT count(*) AS n FROM "${spec.databases.bronze}"."crm_users"`));
        expect(bronze.message).to.match(/Access Denied/i);
        expect((await job.query(`SELECT count("email") AS n FROM "${spec.databases.bronze}"."crm_users"`)).rows[0].n).to.be.greaterThan(0);
    });

    it("previews a bronze Avro dataset written by Spark", async () => {
        const preview = await previewDataset(layout, "bronze/ecomm/sales", 3);
        expect(preview.columns.map((c) => c.name)).to.include.members(["salesid", "pricepaid", "saletime", "_ingested_at", "_batch_id", "_source"]);
        expect(preview.rows).to.have.length(3);
        expect(preview.rows[0]._source).to.equal("ecomm");
    });

    describe("a second run", () => {
        let before: Record<string, string[]>;
        let second: LakeRunSummary;

        it("changes nothing: incremental tables read no new rows, silver and gold data are identical", async () => {
            before = await layerSnapshot(spec, layout);
            second = await run("run2");
            expect(second.ok).to.equal(true);
            for (const source of spec.sources) {
                for (const table of source.tables) {
                    const bronze = second.tables.find((t) => t.layer === "bronze" && t.table === `${source.name}/${table.name}`);
                    const firstRows = first.tables.find((t) => t.layer === "bronze" && t.table === `${source.name}/${table.name}`)?.rows;
                    const newBatch = bronzeBatches(layout.layers.bronze).some((b) => b.startsWith(path.join(source.name, table.name) + path.sep) && b.endsWith("batch_id=run2"));
                    if (table.watermarkColumn) {
                        // Incremental: nothing new at the source, so no new bronze batch.
                        expect(bronze?.rows, `${source.name}/${table.name}`).to.equal(0);
                        expect(newBatch, `${source.name}/${table.name} got a new batch`).to.equal(false);
                    } else {
                        // Full load by design: the same rows again, deduplicated by silver.
                        expect(bronze?.rows, `${source.name}/${table.name}`).to.equal(firstRows);
                    }
                }
            }
            expect(await layerSnapshot(spec, layout)).to.deep.equal(before);
            // The full-load batches of this run are new partitions, visible in Trino without any repair.
            const fullLoad = spec.sources.flatMap((s) => s.tables.filter((t) => !t.watermarkColumn).map((t) => `${s.name}_${t.name}`));
            expect(fullLoad).to.not.be.empty;
            const engine = await trino(layout);
            for (const table of fullLoad) {
                const batches = await engine.query(`SELECT DISTINCT "batch_id" FROM "${spec.databases.bronze}"."${table}" ORDER BY 1`);
                expect(batches.rows.map((r) => r.batch_id), table).to.deep.equal(["run1", "run2"]);
            }
            // Gold answers are identical (the silver preview shows ingestion metadata, which does change).
            const results = (s: LakeRunSummary) => s.queries.filter((q) => q.layer === "gold").map((q) => [q.name, q.result?.rows]);
            expect(results(second)).to.deep.equal(results(first));
        });

        it("a failing step is named, exits with an error, and leaves the earlier layers intact", async () => {
            const bronzeBefore = bronzeBatches(layout.layers.bronze);
            // Gold cannot write when its folder is a file: a realistic storage failure.
            const moved = `${layout.layers.gold}.moved`;
            fs.renameSync(layout.layers.gold, moved);
            fs.writeFileSync(layout.layers.gold, "not a folder");
            try {
                printed = "";
                const error = await rejection(run("run3", { from: "gold" }));
                expect(error).to.be.instanceOf(LakeStepFailed);
                const failed = error as LakeStepFailed;
                expect(failed.step).to.equal("gold");
                expect(failed.message).to.match(/^step "gold" failed: gold job/);
                expect(failed.summary.steps.map((s) => `${s.step}:${s.ok}`).slice(-3)).to.deep.equal(["bronze:true", "silver:true", "gold:false"]);
                expect(printed).to.contain('local lake FAILED at step "gold"');
            } finally {
                fs.rmSync(layout.layers.gold, { force: true });
                fs.renameSync(moved, layout.layers.gold);
            }
            for (const batch of bronzeBefore) expect(bronzeBatches(layout.layers.bronze), batch).to.include(batch);
            expect(await layerSnapshot(spec, layout)).to.deep.equal(before);
        });

        it("--from gold, after every server was stopped, resumes with the catalog of the earlier runs", async () => {
            for (const stop of [stopTrino, stopServers, stopCatalog]) await stop(layout);
            const bronzeBefore = bronzeBatches(layout.layers.bronze);
            const resumed = await run("run4", { from: "gold" });
            expect(resumed.steps.filter((s) => !s.note.startsWith("skipped")).map((s) => s.step)).to.deep.equal(["prepare", "start servers", "gold", "query"]);
            expect(bronzeBatches(layout.layers.bronze)).to.deep.equal(bronzeBefore);
            // Silver and bronze were registered by earlier runs only: restored from the saved catalog.
            expect(await layerSnapshot(spec, layout)).to.deep.equal(before);
            const bronzePreview = resumed.queries.find((q) => q.name === "bronze-preview");
            expect(bronzePreview?.result?.rows.length).to.be.greaterThan(0);
        });

        it("data-quality rules: an error row rule quarantines rows, an error table rule fails silver and keeps earlier layers", async () => {
            // The local stack with two more rules on full-load tables (silver judges each run's new bronze
            // rows, and only full loads bring new rows here): venues of more than 10,000 seats, and at
            // most 5 categories delivered per run.
            const configRoot = localStackWith("local-lake-rules-", (tables) => {
                Object.assign(tables.find((t) => t.name === "saas.venue") ?? {}, { rules: [{ name: "seats_at_most_10000", check: "range", column: "venueseats", max: 10000 }] });
                Object.assign(tables.find((t) => t.name === "saas.category") ?? {}, { rules: [{ name: "few_categories", check: "rowCount", max: 5 }] });
            });
            const baseline = await layerSnapshot(spec, layout);
            const bronzeBefore = bronzeBatches(layout.layers.bronze);
            const goldBefore = goldPartitionFiles(layout.layers.gold);
            try {
                printed = "";
                const failed = (await rejection(run("run6", { from: "bronze", stackDir: configRoot }))) as LakeStepFailed;
                expect(failed).to.be.instanceOf(LakeStepFailed);
                expect(failed.step).to.equal("silver");
                const result = (rule: string) => failed.summary.quality.find((q) => q.rule === rule);
                expect(result("few_categories")).to.include({ table: "saas/category", passed: false, severity: "error", observed: 11 });
                const seats = result("seats_at_most_10000");
                expect(seats).to.include({ table: "saas/venue", passed: false, severity: "error" });
                expect(seats?.failedRows).to.be.greaterThan(0);
                // Sales is incremental and got no new rows: its rules judged none.
                expect(result("range_qtysold")).to.include({ passed: true, failedRows: 0 });
                expect(printed).to.contain("Would have alerted");
                expect(printed).to.contain("- data quality saas/category few_categories (rows this run <= 5): observed 11 [error: job failed, previous silver kept]");
                expect(failed.message).to.contain("few_categories");

                const after = await layerSnapshot(spec, layout);
                const category = `${spec.databases.silver}.saas_category`;
                expect(after[category], "category keeps its previous silver").to.deep.equal(baseline[category]);
                const engine = await trino(layout);
                const quarantined = await engine.query(`SELECT count(*) AS n FROM "${spec.databases.silver}"."saas_venue_quarantine" WHERE "_reason" = 'seats_at_most_10000'`);
                expect(quarantined.rows[0].n).to.equal(seats?.failedRows);
                // Bronze keeps every batch and key snapshot; a rows reconcile's hash state (_hashes/) is replaced each run by design.
                const kept = (files: string[]) => files.filter((f) => !f.includes("/_hashes/"));
                expect(bronzeBatches(layout.layers.bronze)).to.include.members(kept(bronzeBefore));
                expect(goldPartitionFiles(layout.layers.gold)).to.deep.equal(goldBefore);
            } finally {
                fs.rmSync(configRoot, { recursive: true, force: true });
            }
            // Without the extra rules, silver is what it was; the quarantine keeps the venues run6 held back
            // (silver applies each batch once: a rule judges the rows that arrive while it is declared).
            expect((await run("run7", { from: "silver" })).ok).to.equal(true);
            const venueQuarantine = `${spec.databases.silver}.saas_venue_quarantine`;
            const { [venueQuarantine]: held, ...rest } = await layerSnapshot(spec, layout);
            const { [venueQuarantine]: heldBefore, ...restBefore } = baseline;
            expect(rest).to.deep.equal(restBefore);
            expect(held.length - heldBefore.length).to.be.greaterThan(0);
        });

        it("rows deleted at the sources leave silver (a full-load table, and incremental ones by reconcile: rows), are audited in _deletes; rows updated in place arrive; silver equals the sources' cleaned rows and gold follows", async () => {
            const tables = spec.sources.flatMap((s) => s.tables.map((t) => ({ source: s, table: t })));
            const find = (name: string) => {
                const found = tables.find((x) => x.table.name === name);
                if (!found) throw new Error(`the local stack has no ${name} table`);
                return found;
            };
            const [category, event, sales, listing] = ["category", "event", "sales", "listing"].map(find);
            expect(category.table.watermarkColumn, "category is loaded in full").to.equal(null);
            for (const t of [sales, listing]) expect(t.table.reconcile?.compare, `${t.table.name} reconcile`).to.equal("rows");
            expect(sales.source).to.equal(listing.source);
            const ecomm = sales.source;

            // At the sources: one category goes (one of 11, under the delete guard's 0.5; the one of the
            // first events, so gold's categories change), and the oldest sale and listing; a new sale comes;
            // a sale is refunded in part and a listing gets more tickets, in place (their id watermarks do
            // not move), changing the months' sales and the events' sell-through.
            await startServers(layout); // the --from runs before need not have started them
            const [[[catid]]] = await sourceSql(layout, category.source, [
                `DELETE FROM ${category.table.sourceTable} WHERE catid = (SELECT min(catid) FROM ${event.table.sourceTable}) RETURNING catid`,
            ]);
            const validSale = `salesid IS NOT NULL AND qtysold BETWEEN 1 AND 8 AND saletime REGEXP '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}$'`;
            const [oldest, [[newSale]], [[listid]], [[refunded]], [[relisted]]] = await sourceSql(layout, ecomm, [
                `SELECT salesid FROM ${sales.table.sourceTable} WHERE salesid IS NOT NULL ORDER BY salesid LIMIT 2`,
                `SELECT max(salesid) + 1 FROM ${sales.table.sourceTable}`,
                `SELECT min(listid) FROM ${listing.table.sourceTable}`,
                `SELECT salesid FROM ${sales.table.sourceTable} WHERE ${validSale} AND pricepaid > 100 ORDER BY salesid LIMIT 1 OFFSET 10`,
                `SELECT listid FROM ${listing.table.sourceTable} WHERE listid IS NOT NULL ORDER BY listid LIMIT 1 OFFSET 10`,
            ]);
            const [[salesid], [donor]] = oldest;
            await sourceSql(layout, ecomm, [
                `CREATE TEMPORARY TABLE new_sale AS SELECT * FROM ${sales.table.sourceTable} WHERE salesid = ${Number(donor)}`,
                `UPDATE new_sale SET salesid = ${Number(newSale)}`,
                `INSERT INTO ${sales.table.sourceTable} SELECT * FROM new_sale`,
                `DELETE FROM ${sales.table.sourceTable} WHERE salesid = ${Number(salesid)}`,
                `DELETE FROM ${listing.table.sourceTable} WHERE listid = ${Number(listid)}`,
                `UPDATE ${sales.table.sourceTable} SET pricepaid = pricepaid - 50, commission = commission - 7.50 WHERE salesid = ${Number(refunded)}`,
                `UPDATE ${listing.table.sourceTable} SET numtickets = numtickets + 3 WHERE listid = ${Number(relisted)}`,
            ]);
            const engine = await trino(layout);
            const silver = (table: string) => `"${spec.databases.silver}"."${table}"`;
            const present = async (table: string, key: string, value: unknown) =>
                (await engine.query(`SELECT count(*) AS n FROM ${silver(table)} WHERE "${key}" = ${Number(value)}`)).rows[0].n;
            expect([await present("saas_category", "catid", catid), await present("ecomm_sales", "salesid", salesid), await present("ecomm_listing", "listid", listid)]).to.deep.equal([1, 1, 1]);

            const reconciled = await run("run8", { from: "bronze" });
            expect(reconciled.ok).to.equal(true);
            const silverTable = (table: string) => reconciled.tables.find((t) => t.layer === "silver" && t.table === table);
            expect(["saas/category", "ecomm/sales", "ecomm/listing"].map((t) => silverTable(t)?.deleted)).to.deep.equal([1, 1, 1]);
            expect(["ecomm/sales", "ecomm/listing"].map((t) => silverTable(t)?.changed), "rows changed in place").to.deep.equal([1, 1]);
            // Bronze re-read the two updated rows alone, by key: the new sale came with the batch, nothing else changed.
            const bronzeRun = (table: string) => tableRunSummaries(spec, layout.layers.bronze, "run8").find((t) => t.table === table)?.summary;
            expect(["sales", "listing"].map((t) => [bronzeRun(t)?.rows, bronzeRun(t)?.rows_reread])).to.deep.equal([[2, 1], [1, 1]]);

            // Silver holds exactly the source's keys, by independent SQL on the source databases: every
            // category; every listing; every sale but the deliberately bad ones (a null salesid, a saletime
            // not in the stack's M/d/yyyy HH:mm:ss, a qtysold outside the stack's error rule of 1 to 8).
            const ids = (rows: unknown[][]) => rows.map(([id]) => String(id)).sort();
            const [categories] = await sourceSql(layout, category.source, [`SELECT catid FROM ${category.table.sourceTable}`]);
            const [salesIds, listingIds, [[saleCount]], [[listingCount]]] = await sourceSql(layout, ecomm, [
                `SELECT salesid FROM ${sales.table.sourceTable} WHERE salesid IS NOT NULL AND qtysold BETWEEN 1 AND 8` +
                    ` AND saletime REGEXP '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}$'`,
                `SELECT DISTINCT listid FROM ${listing.table.sourceTable}`,
                `SELECT count(*) FROM ${sales.table.sourceTable}`,
                `SELECT count(*) FROM ${listing.table.sourceTable}`,
            ]);
            const silverIds = async (table: string, key: string) => ids((await engine.query(`SELECT "${key}" FROM ${silver(table)}`)).rows.map((r) => [r[key]]));
            const difference = (lake: string[], source: string[]) => ({ onlyInSilver: lake.filter((x) => !source.includes(x)), onlyAtSource: source.filter((x) => !lake.includes(x)) });
            const none = { onlyInSilver: [], onlyAtSource: [] };
            expect(difference(await silverIds("saas_category", "catid"), ids(categories)), "category").to.deep.equal(none);
            expect(difference(await silverIds("ecomm_sales", "salesid"), ids(salesIds)), "sales").to.deep.equal(none);
            expect(difference(await silverIds("ecomm_listing", "listid"), ids(listingIds)), "listing").to.deep.equal(none);
            expect(ids(salesIds)).to.include(String(newSale));
            // Bronze's key snapshots read every source row's key.
            expect([bronzeRun("sales")?.keys_read, bronzeRun("listing")?.keys_read]).to.deep.equal([Number(saleCount), Number(listingCount)]);
            // Every silver row equals the source's row as silver's rules clean it (keys and values, every
            // table), by the benchmark's independent comparison; the updated rows hold their new values.
            const catalog = await startCatalog(layout, []); // the run's, still running
            const drift = await driftRows(catalog.env, spec.databases.silver, layout);
            expect(Object.keys(drift)).to.include.members(["ecomm/sales", "ecomm/listing"]);
            const zero = { onlySource: 0, onlySilver: 0, differ: 0 };
            expect(drift).to.deep.equal(Object.fromEntries(Object.keys(drift).map((t) => [t, zero])));
            const [[[pricepaid]], [[numtickets]]] = [
                ...(await sourceSql(layout, ecomm, [`SELECT pricepaid FROM ${sales.table.sourceTable} WHERE salesid = ${Number(refunded)}`])),
                ...(await sourceSql(layout, ecomm, [`SELECT numtickets FROM ${listing.table.sourceTable} WHERE listid = ${Number(relisted)}`])),
            ];
            const value = async (table: string, column: string, key: string, id: unknown) =>
                (await engine.query(`SELECT "${column}" AS v FROM ${silver(table)} WHERE "${key}" = ${Number(id)}`)).rows[0]?.v;
            expect([norm(await value("ecomm_sales", "pricepaid", "salesid", refunded)), norm(await value("ecomm_listing", "numtickets", "listid", relisted))]).to.deep.equal([
                norm(pricepaid),
                norm(numtickets),
            ]);

            // The audit names each deleted key, and nothing else was ever deleted in these runs.
            const audit = await engine.query(`SELECT "source", "table_name", "key", "batch_id" FROM "${spec.databases.silver}"."_deletes" ORDER BY 1, 2, 3`);
            expect(audit.rows).to.deep.equal([
                { source: ecomm.name, table_name: "listing", key: `{"listid":${listid}}`, batch_id: "run8" },
                { source: ecomm.name, table_name: "sales", key: `{"salesid":${salesid}}`, batch_id: "run8" },
                { source: category.source.name, table_name: "category", key: `{"catid":${catid}}`, batch_id: "run8" },
            ]);

            // Gold follows the sources: the same answers as the independent computation, which changed.
            await expectGoldFromSources(layout, reconciled);
            const results = (s: LakeRunSummary) => s.queries.filter((q) => q.layer === "gold").map((q) => [q.name, q.result?.rows]);
            expect(results(reconciled)).to.not.deep.equal(results(first));
        });

        it("a column added to a source table and to the stack config reaches the catalog and Trino; older rows read null", async () => {
            // The same stack with one more venue column, as a team would edit the table catalog.
            const stackDir = localStackWith("lake-evolve-", (tables) => {
                const venueTable = tables.find((t) => t.name === "saas.venue");
                if (!venueTable?.columns) throw new Error("the catalog's saas.venue has no columns");
                venueTable.columns.venuecode = "string";
            });
            const venue = spec.sources.flatMap((s) => s.tables.map((t) => ({ source: s, table: t }))).find((x) => x.table.name === "venue");
            if (!venue) throw new Error("the local stack has no venue table");
            await startServers(layout); // the --from runs before needed no source databases and did not start them
            await runPython(
                [
                    "-c",
                    "import json, sys, psycopg; s = json.load(open(sys.argv[1]))['postgres'];" +
                        " c = psycopg.connect(host=s['host'], port=s['port'], user=s['user'], password=s['password'], dbname=sys.argv[2], autocommit=True);" +
                        ` c.execute('ALTER TABLE ${venue.table.sourceTable} ADD COLUMN venuecode varchar(8)');` +
                        ` c.execute("UPDATE ${venue.table.sourceTable} SET venuecode = 'V' || venueid WHERE venueid IN (SELECT venueid FROM ${venue.table.sourceTable} ORDER BY venueid LIMIT 10)")`,
                    path.join(layout.sourcesDir, "servers.json"),
                    venue.source.database,
                ],
                { label: "add a source column" },
            );
            const venueFolder = path.join(venue.source.name, "venue") + path.sep;
            const batchesBefore = [...new Set(bronzeBatches(layout.layers.bronze).filter((b) => b.startsWith(venueFolder)).map((b) => b.split("batch_id=")[1]))].sort();
            try {
                const evolvedRun = await run("run9", { stackDir });
                expect(evolvedRun.ok).to.equal(true);
            } finally {
                fs.rmSync(stackDir, { recursive: true, force: true });
            }
            const name = `${venue.source.name}_venue`;
            const columns = (database: string) => readCatalog(layout).find((t) => t.database === database && t.table === name)?.columns.map((c) => c.name);
            expect(columns(spec.databases.bronze)).to.include("venuecode");
            expect(columns(spec.databases.silver)).to.include("venuecode");
            const engine = await trino(layout);
            const bronze = await engine.query(
                `SELECT "batch_id", count("venuecode") AS coded, count(*) AS n FROM "${spec.databases.bronze}"."${name}" GROUP BY "batch_id" ORDER BY 1`,
            );
            // Batches written before the column existed read it as null; the new batch has it.
            expect(batchesBefore).to.include.members(["run1", "run2"]);
            expect(bronze.rows.map((r) => [r.batch_id, r.coded])).to.deep.equal([...batchesBefore.map((b) => [b, 0]), ["run9", 10]]);
            const all = await engine.query(`SELECT * FROM "${spec.databases.silver}"."${name}" ORDER BY "venueid" LIMIT 1`);
            expect(all.columns.map((c) => c.name)).to.include("venuecode");
            expect(all.rows[0].venuecode).to.equal(`V${all.rows[0].venueid}`);
            // Time travel, as in Athena: the first snapshot holds the first run's rows, before the column existed.
            const snapshots = await engine.query(`SELECT CAST("snapshot_id" AS varchar) AS id FROM "${spec.databases.silver}"."${name}$snapshots" ORDER BY "committed_at"`);
            const firstSnapshot = String(snapshots.rows[0].id);
            expect(firstSnapshot).to.match(/^-?\d+$/);
            const then = await engine.query(`SELECT DISTINCT "_batch_id" AS b FROM "${spec.databases.silver}"."${name}" FOR VERSION AS OF ${firstSnapshot}`);
            expect(then.rows.map((r) => r.b)).to.deep.equal(["run1"]);
            const thenColumns = await engine.query(`SELECT * FROM "${spec.databases.silver}"."${name}" FOR VERSION AS OF ${firstSnapshot} LIMIT 1`);
            expect(thenColumns.columns.map((c) => c.name)).to.include("venueid").and.not.include("venuecode");
            const silver = await engine.query(`SELECT count("venuecode") AS coded, count(*) AS n FROM "${spec.databases.silver}"."${name}"`);
            expect(silver.rows[0]).to.deep.equal({ coded: 10, n: first.tables.find((t) => t.layer === "silver" && t.table === `${venue.source.name}/venue`)?.rows });
        });
    });

    // Last: it erases a user the checks above compare with the sources.
    describeErasure(() => ({ layout, spec, run }));
});
