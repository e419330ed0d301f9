/**
 * `npm run model -- <model>`: one gold model's SQL run on the local Trino (Athena's engine) over the
 * local lake's silver, with the model's tests, without a Spark job. The SQL runs unchanged: gold SQL
 * is written in what Spark SQL and Athena (Trino) share (`athena.engineVersion`), as the e2e test
 * checks for every model. The model and its tests are the stack's as they are now (its SQL file and
 * declaration, read and checked afresh), not the last run's; the databases are the last run's lake
 * spec's. Tests are translated to Trino SQL here with the semantics of glue-scripts/medallion/quality.py
 * (nulls pass every test but notNull; a reference test ignores null keys; rowCount counts the model's
 * rows). Nothing is written. Only light modules are loaded (not the Pulumi component), so that the
 * command answers in about a second. See docs/local-lake.md.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import type { LakeSpec } from "../../packages/medallion-lake/src";
import { GoldModelConfig, GoldTestConfig, goldTestName, loadGoldModels, sqlReferences } from "../../packages/medallion-lake/src/model/gold-models";
import { quoteIdentifier, quoteLiteral, QueryResult } from "../../query-engines/engine";
import { TrinoQueryEngine, TrinoQueryError } from "../../query-engines/trino";
import { LAKE_CONFIG_KEY, loadStackConfig, PROJECT_ROOT } from "../../stacks/stack-config";
import { LakeLayout } from "./layout";

/** What `npm run lake` leaves running for this command, and how to start it. */
export const START_SERVERS =
    "`npm run lake -- --keep-servers` (builds the lake and keeps its servers), or for a lake already built `npm run lake -- --from query --keep-servers`";

/** The model named `name`, or an error listing the stack's models. */
export function findModel(models: GoldModelConfig[], name: string, stack: string): GoldModelConfig {
    const model = models.find((m) => m.name === name);
    if (model) return model;
    const known = models.map((m) => m.name).join(", ");
    throw new Error(models.length ? `no gold model "${name}" in stack ${stack}; its models: ${known}` : `stack ${stack} declares no gold models (gold.models)`);
}

/** `"<db>"."<name>"` of a lake name: a model's table in gold, else the silver table. */
function lakeTable(spec: LakeSpec, models: GoldModelConfig[], name: string): string {
    const db = models.some((m) => m.name === name) ? spec.databases.gold : spec.databases.silver;
    return `${quoteIdentifier(db)}.${quoteIdentifier(name)}`;
}

/**
 * The model's SQL as a Trino query whose lake names resolve as in the gold job: silver tables in the
 * silver database (the engine's schema) and the models it reads as their gold tables, as the last
 * `npm run lake` wrote them (the WITH clause put in front).
 */
export function modelQuery(model: GoldModelConfig, models: GoldModelConfig[], spec: LakeSpec): string {
    const { tables, problem } = sqlReferences(model.sql);
    if (problem) throw new Error(`gold model ${model.name}: ${problem}`);
    const upstream = tables.filter((t) => models.some((m) => m.name === t));
    const body = model.sql.trim().replace(/;\s*$/, "");
    if (!upstream.length) return body;
    const ctes = upstream.map((t) => `${quoteIdentifier(t)} AS (SELECT * FROM ${lakeTable(spec, models, t)})`);
    return `WITH ${ctes.join(", ")}\nSELECT * FROM (\n${body}\n) AS ${quoteIdentifier(model.name)}`;
}

const valueLiteral = (v: string | number | boolean) => (typeof v === "string" ? quoteLiteral(v) : typeof v === "boolean" ? (v ? "TRUE" : "FALSE") : String(v));

/** A Trino condition true where a row fails a row test (null: passes), or undefined for a table test. */
function failsCondition(test: GoldTestConfig): string | undefined {
    const col = "column" in test ? quoteIdentifier(test.column) : "";
    switch (test.check) {
        case "notNull":
            return `${col} IS NULL`;
        case "range": {
            const bounds = [test.min === undefined ? "" : `${col} < ${test.min}`, test.max === undefined ? "" : `${col} > ${test.max}`].filter(Boolean);
            return bounds.join(" OR ");
        }
        case "acceptedValues":
            return `${col} NOT IN (${test.values.map(valueLiteral).join(", ")})`;
        case "pattern":
            return `NOT regexp_like(CAST(${col} AS varchar), ${quoteLiteral(test.pattern)})`;
        case "expression":
            // SQL by the model's author, like the model (as in the gold job).
            return `NOT (${test.expression})`;
        default:
            return undefined;
    }
}

/** One test's Trino expression over the model's rows `m`: its failed rows, or for rowCount the rows, for freshness the newest value as text. */
export function testExpression(test: GoldTestConfig, models: GoldModelConfig[], spec: LakeSpec): string {
    const fails = failsCondition(test);
    if (fails) return `count_if(${fails})`;
    switch (test.check) {
        case "rowCount":
            return "count(*)";
        case "unique": {
            const cols = test.columns.map(quoteIdentifier).join(", ");
            const present = test.columns.map((c) => `${quoteIdentifier(c)} IS NOT NULL`).join(" AND ");
            return `(SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM m WHERE ${present} GROUP BY ${cols} HAVING count(*) > 1))`;
        }
        case "reference": {
            const col = quoteIdentifier(test.column);
            const key = quoteIdentifier(test.key);
            return `(SELECT count(*) FROM m WHERE ${col} IS NOT NULL AND ${col} NOT IN (SELECT ${key} FROM ${lakeTable(spec, models, test.table)} WHERE ${key} IS NOT NULL))`;
        }
        case "freshness":
            return `CAST(max(CAST(${quoteIdentifier(test.column)} AS timestamp)) AS varchar)`;
        default:
            throw new Error(`test ${goldTestName(test)}: check ${test.check} has no Trino form`);
    }
}

/** One query computing every test of the model in a pass over its rows (the model's query as `m`). */
export function testsQuery(model: GoldModelConfig, models: GoldModelConfig[], spec: LakeSpec): string | undefined {
    if (!model.tests.length) return undefined;
    const columns = model.tests.map((t, i) => `${testExpression(t, models, spec)} AS t${i}`);
    return `WITH m AS (\n${modelQuery(model, models, spec)}\n)\nSELECT ${columns.join(",\n       ")}\nFROM m`;
}

export interface TestOutcome {
    test: string;
    check: string;
    severity: "error" | "warn";
    passed: boolean;
    /** Failed rows (row tests, unique, reference), or what a rowCount test counted, or a freshness test's age in hours (null: no value). */
    value: number | null;
    /** `value` as text: `3 failed rows`, `12 rows`, `newest 2.0 h old`. */
    found: string;
}

/** Each test's outcome from the tests query's one row (`t0`, `t1`, ...); `now` judges freshness. */
export function testOutcomes(model: GoldModelConfig, row: Record<string, unknown>, now: Date): TestOutcome[] {
    return model.tests.map((test, i) => {
        const value = row[`t${i}`];
        const base = { test: goldTestName(test), check: test.check, severity: test.severity };
        if (test.check === "rowCount") {
            const n = Number(value);
            return { ...base, passed: (test.min === undefined || n >= test.min) && (test.max === undefined || n <= test.max), value: n, found: `${n} rows` };
        }
        if (test.check === "freshness") {
            if (value === null || value === undefined) return { ...base, passed: false, value: null, found: "no value" };
            const hours = (now.getTime() - new Date(`${String(value).replace(" ", "T")}Z`).getTime()) / 3_600_000;
            return { ...base, passed: hours <= test.maxAgeHours, value: Number(hours.toFixed(1)), found: `newest ${hours.toFixed(1)} h old` };
        }
        const failed = Number(value);
        return { ...base, passed: failed === 0, value: failed, found: `${failed} failed rows` };
    });
}

/** The stack's gold models, loaded and checked now, and the lake spec of the local lake's last run (its databases and silver tables). */
export function loadModels(stack: string, layout: LakeLayout, stackDir?: string): { models: GoldModelConfig[]; spec: LakeSpec } {
    if (!fs.existsSync(layout.specFile)) throw new Error(`no local lake in ${layout.dataDir} (no ${layout.specFile}): build it with ${START_SERVERS}`);
    const spec = JSON.parse(fs.readFileSync(layout.specFile, "utf8")) as LakeSpec;
    const root = stackDir ?? PROJECT_ROOT;
    const lake = (loadStackConfig(stack, root).config[LAKE_CONFIG_KEY] ?? {}) as { catalog?: unknown; gold?: { models?: string | string[] } };
    // The gold models are in the stack file or, when it names one, in the table catalog (relative to its folder).
    let gold = lake.gold;
    let base = root;
    if (!gold && typeof lake.catalog === "string") {
        const file = path.resolve(root, lake.catalog);
        gold = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}).gold;
        base = path.dirname(file);
    }
    if (!gold?.models) return { models: [], spec };
    const silver = new Map(spec.sources.flatMap((s) => s.tables.map((t): [string, string[]] => [`${s.name}_${t.name}`, t.columns.map((c) => c.name)])));
    const { models, issues } = loadGoldModels(gold.models, base, silver);
    if (issues.length) throw new Error(`Pulumi.${stack}.yaml gold models:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
    return { models, spec };
}

const pidAlive = (pid: unknown) => {
    if (typeof pid !== "number") return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
};

const readServer = (dir: string): Record<string, unknown> | undefined => {
    const file = path.join(dir, "server.json");
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : undefined;
};

/**
 * The running Trino of the local lake in `layout`, read from the servers' own files (no Python, no
 * start): an error naming the command that starts them when the Glue catalog or Trino is not running.
 */
export async function runningTrino(layout: LakeLayout): Promise<{ url: string; catalog: string; jobUser?: string }> {
    const catalog = readServer(layout.catalogDir);
    if (!catalog || !pidAlive(catalog.pid)) throw new Error(`the local Glue catalog of ${layout.dataDir} is not running: start the servers with ${START_SERVERS}`);
    const trino = readServer(layout.trinoDir);
    if (!trino || typeof trino.url !== "string") throw new Error(`the local Trino of ${layout.dataDir} is not running: start the servers with ${START_SERVERS}`);
    let info: { starting?: boolean };
    try {
        info = (await (await fetch(`${trino.url}/v1/info`, { signal: AbortSignal.timeout(3000) })).json()) as { starting?: boolean };
    } catch (e) {
        throw new Error(`the local Trino of ${layout.dataDir} (${trino.url}) does not answer (${(e as Error).message}): start the servers with ${START_SERVERS}`);
    }
    if (info.starting !== false) throw new Error(`the local Trino at ${trino.url} is still starting: try again in a few seconds`);
    return { url: trino.url, catalog: String(trino.catalog ?? "awsdatacatalog"), ...(typeof trino.jobUser === "string" ? { jobUser: trino.jobUser } : {}) };
}

export interface ModelRun {
    sql: string;
    result: QueryResult;
    tests: TestOutcome[];
}

/**
 * Runs the model's query and its tests (two queries at once) on the running Trino; a lake name
 * Trino cannot find is an error saying to build silver first.
 */
export async function runModel(model: GoldModelConfig, models: GoldModelConfig[], spec: LakeSpec, layout: LakeLayout): Promise<ModelRun> {
    const server = await runningTrino(layout);
    // As the jobs' role, as the gold job reads silver: classified columns clear, not masked.
    const engine = new TrinoQueryEngine({ server: server.url, catalog: server.catalog, schema: spec.databases.silver, user: server.jobUser });
    const sql = modelQuery(model, models, spec);
    const tests = testsQuery(model, models, spec);
    const explain = (what: string) => (e: Error) => {
        const notFound = e instanceof TrinoQueryError && (e.errorName === "TABLE_NOT_FOUND" || e.errorName === "SCHEMA_NOT_FOUND");
        throw new Error(`${what} of gold model ${model.name} failed on Trino: ${e.message}${notFound ? `; build the lake with ${START_SERVERS}` : ""}`);
    };
    const [result, testRow] = await Promise.all([
        engine.query(sql).catch(explain("the SQL")),
        tests ? engine.query(tests).then((r) => r.rows[0], explain("the tests")) : Promise.resolve(undefined),
    ]);
    return { sql, result, tests: testRow ? testOutcomes(model, testRow, new Date()) : [] };
}
