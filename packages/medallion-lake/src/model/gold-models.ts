/**
 * Gold models: each a SQL SELECT in `<model>.sql` with its declaration in `<model>.yaml` beside it
 * (description, partition columns, every returned column with a description, tests, named queries).
 * The config's `gold.models` names a folder (every `*.sql` in it) or a list of `.sql` files. This file
 * loads and checks them before anything is created: missing files, bad declarations, partition and
 * test columns that are not declared, references to unknown tables or models and dependency cycles.
 * References are found by a light scan of the SQL here; the gold job parses the SQL properly (sqlglot)
 * and checks the query's real columns against the declaration before it runs any model.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ruleBase, ruleName, RuleConfig, ruleSchema } from "./quality-rules";
import { declassifyIssues, declassifySchema } from "./classification";

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const identifier = z.string().regex(IDENTIFIER, "must be lowercase letters, digits and _, starting with a letter").max(128);

export const goldModelsConfigSchema = z
    .union([z.string().min(1), z.array(z.string().regex(/\.sql$/, "must be a .sql file")).min(1)])
    .describe("A folder whose `*.sql` files are the gold models (e.g. `gold-models/tickit`), or a list of `.sql` files. Relative paths start at the current directory: the Pulumi project directory under pulumi, the repository root for npm run lake and the tests. Each `<model>.sql` needs its declaration `<model>.yaml` beside it (docs/gold-model-reference.md).");

type RuleVariant = (typeof ruleSchema.options)[number];
/** The silver rules but reference, whose target is a `<source>.<table>` there and a lake name here. */
const sharedRuleVariants = ruleSchema.options.filter((o) => o.shape.check.value !== "reference") as Exclude<RuleVariant, { shape: { check: z.ZodLiteral<"reference"> } }>[];

/** A gold model test: a silver rule (docs/config.md "Data-quality rules"), a reference to a lake table or model, or a SQL condition. */
export const goldTestSchema = z.discriminatedUnion("check", [
    z.strictObject({
        ...ruleBase,
        check: z.literal("reference").describe("The rule kind: reference."),
        column: z.string().min(1).describe("A column of the model."),
        table: identifier.describe("The referenced silver table, by lake name `<source>_<table>`, or gold model."),
        key: identifier.describe("The referenced column of that table or model."),
    }),
    z.strictObject({
        ...ruleBase,
        check: z.literal("expression").describe("The rule kind: expression."),
        expression: z.string().min(1).max(2000).describe("A Spark SQL condition over the model's columns that every row must meet (rows where it is false fail; null passes), at most 2000 characters, like dbt's expression_is_true."),
    }),
    ...sharedRuleVariants,
]);
export type GoldTestConfig = z.output<typeof goldTestSchema>;

/**
 * How a run refreshes a model: `full` rebuilds it whole; `partitions` recomputes and replaces only
 * the partitions touched by the silver rows the run changed (so it needs `partitionBy`).
 */
export const GOLD_REFRESH_MODES = ["full", "partitions"] as const;
export type GoldRefresh = (typeof GOLD_REFRESH_MODES)[number];

export const goldDeclarationSchema = z
    .strictObject({
        description: z.string().min(1).max(2048).describe("What the model holds, at most 2048 characters (the catalog table's description)."),
        partitionBy: z.array(identifier).default([]).describe("Partition columns, among the declared columns, in folder order. Default: none, unpartitioned."),
        refresh: z
            .enum(GOLD_REFRESH_MODES, { error: () => `expected one of ${GOLD_REFRESH_MODES.join(", ")}` })
            .default("full")
            .describe(
                "full: each run rebuilds the model whole. partitions: each run recomputes and replaces only the partitions touched by the silver rows it changed; needs partitionBy, and is right only when every row's partition values follow from the silver rows that make it up. Default full.",
            ),
        columns: z
            .record(identifier, z.string().max(255))
            .refine((c) => Object.keys(c).length > 0, "declare every column the query returns")
            .describe("Every column the query returns, in order, with its description (the catalog column comment, at most 255 characters). The gold job checks the query's real columns against them."),
        declassify: declassifySchema,
        tests: z.array(goldTestSchema).max(50).default([]).describe("Tests on the rows each run computes, before the model is written, at most 50: the silver rules (reference and expression are gold's own; rowCount counts every row of the model). A failing error test keeps the model's previous gold, skips the models that read it and fails the gold job; warn only reports. Default: none."),
        queries: z
            .array(
                z.strictObject({
                    name: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be lowercase letters, digits and -").max(64).describe("The named query is gold-<name>: lowercase letters, digits and -, at most 64 characters, unique in the lake."),
                    description: z.string().min(1).max(1024).describe("What the query shows, at most 1024 characters."),
                    sql: z.string().min(1).max(100_000).describe("Athena SQL; `{{ this }}` is the model's table and `{{ <model> }}` another model's, both as `\"<gold database>\".\"<model>\"`."),
                }),
            )
            .default([])
            .describe("Athena named queries over the model, beside its preview query gold-<model>-preview. Default: none."),
    })
    .superRefine((d, ctx) => {
        if (d.refresh === "partitions" && d.partitionBy.length === 0) {
            ctx.addIssue({ code: "custom", path: ["refresh"], message: "partitions needs partitionBy: only a partitioned model can have some of its partitions replaced" });
        }
    });

export interface GoldModelConfig {
    name: string;
    /** Absolute path of the SQL file. */
    file: string;
    sql: string;
    description: string;
    partitionBy: string[];
    /** How a run refreshes the model (default `full`). */
    refresh: GoldRefresh;
    columns: { name: string; description: string }[];
    /** Columns computed from classified columns that are not classified, with the reason; empty when none. */
    declassify: Record<string, string>;
    tests: GoldTestConfig[];
    queries: { name: string; description: string; sql: string }[];
}

export interface GoldIssue {
    path: string;
    message: string;
}

/** The SQL files `gold.models` names, or an issue. */
export function goldModelFiles(models: string | string[], baseDir: string): { files: string[]; issues: GoldIssue[] } {
    const at = "gold.models";
    if (typeof models === "string") {
        const dir = path.resolve(baseDir, models);
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return { files: [], issues: [{ path: at, message: `no folder ${dir}` }] };
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => path.join(dir, f));
        return files.length ? { files, issues: [] } : { files, issues: [{ path: at, message: `no .sql files in ${dir}` }] };
    }
    const files = models.map((m) => path.resolve(baseDir, m));
    const issues = files.flatMap((f, i) => (fs.existsSync(f) ? [] : [{ path: `${at}[${i}]`, message: `no file ${f}` }]));
    return { files, issues };
}

const stripSql = (sql: string) => sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'/g, " ");
/** Functions and operators whose arguments contain FROM without naming a table. */
const NON_TABLE_FROM = /(\b(extract|substring|trim|position|overlay)\s*\([^()]*|\bdistinct\s+)$/i;

/**
 * Lake names a SELECT reads (`FROM x`, `JOIN x`), lowercased, CTE names excluded, or the problem
 * with its shape. A light scan, not a parser: the gold job parses the SQL and is the authority.
 */
export function sqlReferences(sql: string): { tables: string[]; problem?: string } {
    const text = stripSql(sql);
    if (!/^\s*(select|with)\b/i.test(text)) return { tables: [], problem: "must be one SELECT statement (it may start with WITH)" };
    if (/;\s*\S/.test(text)) return { tables: [], problem: "must be one statement (found a ; before more SQL)" };
    const ctes = new Set([...text.matchAll(/(?:\bwith|,)\s*([A-Za-z_]\w*)\s+as\s*\(/gi)].map((m) => m[1].toLowerCase()));
    const tables = new Set<string>();
    for (const m of text.matchAll(/\b(?:from|join)\s+[`"]?([A-Za-z_]\w*)[`"]?(\s*\.\s*[`"]?[A-Za-z_]\w*)?/gi)) {
        if (NON_TABLE_FROM.test(text.slice(0, m.index))) continue;
        if (m[2]) return { tables: [], problem: `reads ${m[1]}${m[2].replace(/\s/g, "")}: refer to silver tables by lake name (<source>_<table>) and to gold models by name, without a database` };
        if (!ctes.has(m[1].toLowerCase())) tables.add(m[1].toLowerCase());
    }
    return { tables: [...tables].sort() };
}

/**
 * Loads every model (its SQL and declaration) and checks it against the lake: `silverTables` maps a
 * silver lake name to its declared columns (empty when untyped). Returns every problem found.
 */
export function loadGoldModels(models: string | string[], baseDir: string, silverTables: Map<string, string[]>): { models: GoldModelConfig[]; issues: GoldIssue[] } {
    const { files, issues } = goldModelFiles(models, baseDir);
    const loaded: GoldModelConfig[] = [];
    for (const file of files.filter((f) => fs.existsSync(f))) {
        const name = path.basename(file, ".sql");
        const at = `gold.models[${name}]`;
        const declarationFile = file.replace(/\.sql$/, ".yaml");
        const where = ` (${path.relative(baseDir, declarationFile)})`;
        if (!IDENTIFIER.test(name)) {
            issues.push({ path: at, message: `the file name ${path.basename(file)} must be <model>.sql with a model name of lowercase letters, digits and _` });
            continue;
        }
        if (!fs.existsSync(declarationFile)) {
            issues.push({ path: at, message: `no declaration ${declarationFile}: every model needs <model>.yaml beside its SQL (description, columns, partitionBy, tests)` });
            continue;
        }
        let raw: unknown;
        try {
            raw = parseYaml(fs.readFileSync(declarationFile, "utf8"));
        } catch (e) {
            issues.push({ path: at, message: `${declarationFile} is not valid YAML: ${(e as Error).message}` });
            continue;
        }
        const parsed = goldDeclarationSchema.safeParse(raw);
        if (!parsed.success) {
            for (const issue of parsed.error.issues) issues.push({ path: `${at}.${issue.path.join(".")}`.replace(/\.$/, ""), message: issue.message + where });
            continue;
        }
        const d = parsed.data;
        loaded.push({
            name,
            file,
            sql: fs.readFileSync(file, "utf8"),
            description: d.description,
            partitionBy: d.partitionBy,
            refresh: d.refresh,
            columns: Object.entries(d.columns).map(([column, description]) => ({ name: column, description })),
            declassify: d.declassify,
            tests: d.tests,
            queries: d.queries,
        });
    }
    issues.push(...modelIssues(loaded, silverTables));
    return { models: loaded, issues };
}

/** The name a test goes by (its name, else `<check>_<columns>` as for silver rules). */
export function goldTestName(test: GoldTestConfig): string {
    return ruleName(test as RuleConfig);
}

/** Named query name of a model's preview. */
export const previewQueryName = (model: string) => `gold-${model.replace(/_/g, "-")}-preview`;

/** Checks the loaded models against each other and the silver tables. Pure. */
export function modelIssues(models: GoldModelConfig[], silverTables: Map<string, string[]>): GoldIssue[] {
    const issues: GoldIssue[] = [];
    const byName = new Map(models.map((m) => [m.name, m]));
    const queryNames = new Map<string, string>();
    const edges = new Map<string, string[]>();
    for (const m of models) {
        const at = `gold.models[${m.name}]`;
        if (silverTables.has(m.name)) issues.push({ path: at, message: `"${m.name}" is also the lake name of a silver table: rename the model` });
        const columns = m.columns.map((c) => c.name);
        const known = (col: string, field: string) => {
            if (!columns.includes(col)) issues.push({ path: `${at}.${field}`, message: `"${col}" is not among the model's columns (${columns.join(", ")})` });
        };
        m.partitionBy.forEach((col, i) => known(col, `partitionBy.${i}`));
        issues.push(...declassifyIssues(m.declassify, columns, at));
        const testNames = new Set<string>();
        m.tests.forEach((t, i) => {
            const name = goldTestName(t);
            if (testNames.has(name)) issues.push({ path: `${at}.tests.${i}.name`, message: `duplicate test name "${name}"; set name` });
            testNames.add(name);
            if ("column" in t) known(t.column, `tests.${i}.column`);
            if (t.check === "unique") t.columns.forEach((col, k) => known(col, `tests.${i}.columns.${k}`));
            if (t.check === "reference") {
                const target = byName.get(t.table)?.columns.map((c) => c.name) ?? silverTables.get(t.table);
                if (target === undefined) issues.push({ path: `${at}.tests.${i}.table`, message: `unknown silver table or gold model "${t.table}"` });
                else if (target.length > 0 && !target.includes(t.key)) issues.push({ path: `${at}.tests.${i}.key`, message: `"${t.key}" is not a column of ${t.table}` });
            }
        });
        const refs = sqlReferences(m.sql);
        if (refs.problem) issues.push({ path: at, message: `${path.basename(m.file)}: ${refs.problem}` });
        const unknown = refs.tables.filter((t) => !silverTables.has(t) && !byName.has(t));
        if (unknown.length) {
            issues.push({ path: at, message: `${path.basename(m.file)} reads unknown table(s) ${unknown.join(", ")} (silver tables: ${[...silverTables.keys()].join(", ")}; gold models: ${[...byName.keys()].join(", ")})` });
        }
        edges.set(m.name, refs.tables.filter((t) => byName.has(t)));
        for (const [i, q] of m.queries.entries()) {
            const name = `gold-${q.name}`;
            for (const [, ref] of q.sql.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
                if (ref !== "this" && !byName.has(ref)) issues.push({ path: `${at}.queries.${i}.sql`, message: `{{ ${ref} }} is neither this nor a gold model` });
            }
            if (queryNames.has(name)) issues.push({ path: `${at}.queries.${i}.name`, message: `named query ${name} is also declared by ${queryNames.get(name)}` });
            queryNames.set(name, m.name);
        }
    }
    for (const m of models) {
        const preview = previewQueryName(m.name);
        if (queryNames.has(preview)) issues.push({ path: `gold.models[${queryNames.get(preview)}]`, message: `named query ${preview} is the preview of model ${m.name}; choose another name` });
    }
    issues.push(...cycles(edges));
    return issues;
}

function cycles(edges: Map<string, string[]>): GoldIssue[] {
    const issues: GoldIssue[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (node: string, trail: string[]) => {
        state.set(node, "visiting");
        for (const next of edges.get(node) ?? []) {
            if (state.get(next) === "visiting") {
                const start = trail.indexOf(next);
                const cycle = start < 0 ? [node, next] : [...trail.slice(start), node, next];
                issues.push({ path: `gold.models[${node}]`, message: `dependency cycle ${cycle.join(" -> ")}: a model cannot read itself through other models` });
            } else if (!state.has(next)) {
                visit(next, [...trail, node]);
            }
        }
        state.set(node, "done");
    };
    for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
    return issues;
}
