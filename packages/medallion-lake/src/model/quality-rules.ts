/**
 * Declared data-quality rules of a table (`sources[].tables[].rules`): their zod schema, the checks
 * that need the whole lake (known columns, column types, referenced tables, reference cycles) and
 * their normalized form in the lake spec. Structured on purpose: no rule is a SQL expression, so no
 * config value reaches a query as code (values and patterns reach Spark only as literals).
 */
import { z } from "zod";

export const RULE_SEVERITIES = ["error", "warn"] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

/** Row rules judge each row (an `error` quarantines it with the rule's name as its reason, a `warn` counts it). */
export const ROW_CHECKS = ["notNull", "range", "acceptedValues", "pattern", "reference"] as const;
/** Table rules judge the silver table of the run, rowCount only its new rows (an `error` fails the silver job, a `warn` reports). */
export const TABLE_CHECKS = ["rowCount", "unique", "freshness"] as const;
export type RuleCheck = (typeof ROW_CHECKS)[number] | (typeof TABLE_CHECKS)[number];

const NUMERIC_TYPES = /^(smallint|int|bigint|double|decimal\(.*\))$/;
const TEMPORAL_TYPES = ["date", "timestamp"];

const nameField = z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "must start with a lowercase letter and contain only a-z, 0-9 and _")
    .max(64, "must be at most 64 characters")
    .optional()
    .describe("Rule name: lowercase letters, digits and _, at most 64 characters, unique per table or model; the name in run summaries and metrics (and a quarantined row's reason). Default: `<check>_<column(s)>` in snake case, e.g. range_qtysold, row_count.");
const severity = z
    .enum(RULE_SEVERITIES, { error: () => `expected one of ${RULE_SEVERITIES.join(", ")}` })
    .default("error")
    .describe("error: a failing row rule quarantines the row; a failing table rule keeps the table's previous silver and fails the silver job (a failing gold test: the model is not written and the gold job fails). warn: only counted and reported. Default error.");
const column = z.string().min(1).describe("The checked column, declared in the table's columns (numeric for range, date or timestamp for freshness). Null values pass every row rule but notNull.");

const base = { name: nameField, severity };
/** The fields every rule has (name, severity); gold model tests share them. */
export const ruleBase = base;
const checkField = <T extends RuleCheck>(check: T) => z.literal(check).describe(`The rule kind: ${check}.`);
/** At least one of min and max, and min <= max. */
function checkBounds(r: { min?: number; max?: number }, ctx: z.core.$RefinementCtx): void {
    if (r.min === undefined && r.max === undefined) ctx.addIssue({ code: "custom", path: ["min"], message: "set min, max or both" });
    if (r.min !== undefined && r.max !== undefined && r.min > r.max) ctx.addIssue({ code: "custom", path: ["max"], message: `impossible range: max ${r.max} is less than min ${r.min}` });
}

/** Patterns are checked as JavaScript regular expressions here and run as Java ones by Spark (`rlike`); keep to the common syntax. */
const pattern = z
    .string()
    .min(1)
    .max(500)
    .superRefine((p, ctx) => {
        try {
            new RegExp(p);
        } catch (e) {
            ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(e as Error).message}` });
        }
    })
    .describe("Regular expression (Spark rlike, Java syntax; at most 500 characters) a non-null value must contain a match of: anchor it with `^...$` to match whole values.");

export const ruleSchema = z
    .discriminatedUnion(
        "check",
        [
            z.strictObject({ ...base, check: checkField("notNull"), column }),
            z
                .strictObject({ ...base, check: checkField("range"), column, min: z.number().optional().describe("Smallest allowed value; set min, max or both, min <= max. Default: none, no lower bound."), max: z.number().optional().describe("Largest allowed value; set min, max or both, min <= max. Default: none, no upper bound.") })
                .superRefine(checkBounds),
            z.strictObject({
                ...base,
                check: checkField("acceptedValues"),
                column,
                values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).max(1000).describe("The values a non-null value must be one of: 1 to 1000 strings, numbers or booleans."),
            }),
            z.strictObject({ ...base, check: checkField("pattern"), column, pattern }),
            z.strictObject({
                ...base,
                check: checkField("reference"),
                column,
                table: z
                    .string()
                    .regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_$]*$/, "must name a lake table as <source>.<table>, e.g. saas.event")
                    .describe("The referenced lake table, `<source>.<table short name>`, e.g. saas.event; silver refines it first (reference cycles are refused)."),
                key: z.string().min(1).optional().describe("The referenced column. Default: the referenced table's primary key (which must then be one column)."),
            }),
            z
                .strictObject({
                    ...base,
                    check: checkField("rowCount"),
                    min: z.number().int().min(0).optional().describe("Fewest silver rows the run may add or change (the rows of the bronze batches no earlier silver run applied); set min, max or both. Default: none, no lower bound."),
                    max: z.number().int().min(0).optional().describe("Most silver rows the run may add or change (the rows of the bronze batches no earlier silver run applied); set min, max or both. Default: none, no upper bound."),
                })
                .superRefine(checkBounds),
            z.strictObject({ ...base, check: checkField("unique"), columns: z.array(column).min(1).describe("Columns whose combined values must be unique in the whole table (rows with a null among them are skipped).") }),
            z.strictObject({
                ...base,
                check: checkField("freshness"),
                column,
                maxAgeHours: z.number().positive().describe("The newest value of the date or timestamp column must be at most this many hours old when the job runs (no value at all fails too)."),
            }),
        ],
        { error: () => `expected one of ${[...ROW_CHECKS, ...TABLE_CHECKS].join(", ")}` },
    )
    .describe("A data-quality rule (check: notNull, range, acceptedValues, pattern, reference, rowCount, unique, freshness).");

export type RuleConfig = z.output<typeof ruleSchema>;

/** A rule as the lake spec carries it to the silver job: every field present, null when unused. */
export interface LakeSpecRule {
    name: string;
    check: RuleCheck;
    severity: RuleSeverity;
    /** The checked column (notNull, range, acceptedValues, pattern, reference, freshness). */
    column: string | null;
    /** The columns of a unique rule. */
    columns: string[];
    /** Bounds of range and rowCount. */
    min: number | null;
    max: number | null;
    values: (string | number | boolean)[];
    pattern: string | null;
    /** The referenced lake table and column of a reference rule. */
    reference: { source: string; table: string; column: string } | null;
    maxAgeHours: number | null;
}

/** The tables of normalized sources as the rule checks see them. */
export function ruleTables(sources: { name: string; tables: { name: string; primaryKey: string[]; columns: { name: string; type: string }[]; rules: RuleConfig[] }[] }[]): RuleTable[] {
    return sources.flatMap((s, i) =>
        s.tables.map((t, j) => ({
            path: ["sources", i, "tables", j],
            source: s.name,
            table: t.name.split(".").pop()!.toLowerCase(),
            primaryKey: t.primaryKey,
            columns: Object.fromEntries(t.columns.map((c) => [c.name, c.type])),
            rules: t.rules,
        })),
    );
}

/** A table as the rule checks see it (path prefix such as `["sources", 0, "tables", 2]`). */
export interface RuleTable {
    path: (string | number)[];
    source: string;
    /** Short name (last segment, lowercased). */
    table: string;
    primaryKey: string[];
    /** Declared column types; empty when the table is untyped. */
    columns: Record<string, string>;
    rules: RuleConfig[];
}

export interface RuleIssue {
    path: (string | number)[];
    message: string;
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** The rule's name, or the default `<check>_<column(s)>` (`range_qtysold`, `row_count`). */
export function ruleName(rule: RuleConfig): string {
    if (rule.name) return rule.name;
    const cols = "columns" in rule ? rule.columns : "column" in rule ? [rule.column] : [];
    return [snake(rule.check), ...cols.map((c) => c.toLowerCase())].join("_").slice(0, 64);
}

const key = (source: string, table: string) => `${source}.${table}`;

/** The column a reference rule points at: its `key`, else the referenced table's one-column primary key. */
function referencedColumn(rule: Extract<RuleConfig, { check: "reference" }>, target: RuleTable): string | undefined {
    if (rule.key) return rule.key;
    return target.primaryKey.length === 1 ? target.primaryKey[0] : undefined;
}

/**
 * Checks every table's rules against the whole lake: declared columns and their types, unique rule
 * names, referenced tables and columns, and no reference cycles. Pure; returns every problem.
 */
export function ruleIssues(tables: RuleTable[]): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const byKey = new Map(tables.map((t) => [key(t.source, t.table), t]));
    const edges = new Map<string, { to: string; path: (string | number)[] }[]>();
    for (const t of tables) {
        if (t.rules.length === 0) continue;
        const known = Object.keys(t.columns);
        if (known.length === 0) {
            issues.push({ path: [...t.path, "rules"], message: "rules need the table's columns declared (columns), so that every rule names a typed column" });
            continue;
        }
        const names = new Map<string, number>();
        t.rules.forEach((rule, k) => {
            const at = (...field: (string | number)[]) => [...t.path, "rules", k, ...field];
            const name = ruleName(rule);
            if (names.has(name)) issues.push({ path: at("name"), message: `duplicate rule name "${name}" (also rules[${names.get(name)}]); set name` });
            else names.set(name, k);
            const columnIssue = (col: string, ...field: (string | number)[]) => {
                if (!(col in t.columns)) issues.push({ path: at(...field), message: `"${col}" is not in columns (${known.join(", ")})` });
                return col in t.columns;
            };
            if ("column" in rule && columnIssue(rule.column, "column")) {
                const type = t.columns[rule.column];
                if (rule.check === "range" && !NUMERIC_TYPES.test(type)) issues.push({ path: at("column"), message: `range needs a numeric column, "${rule.column}" is ${type}` });
                if (rule.check === "freshness" && !TEMPORAL_TYPES.includes(type)) issues.push({ path: at("column"), message: `freshness needs a date or timestamp column, "${rule.column}" is ${type}` });
            }
            if (rule.check === "unique") rule.columns.forEach((c, n) => columnIssue(c, "columns", n));
            if (rule.check === "reference") {
                const [source, table] = rule.table.split(".");
                const target = byKey.get(key(source, table));
                if (!target) {
                    issues.push({ path: at("table"), message: `unknown lake table "${rule.table}" (known: ${[...byKey.keys()].join(", ")})` });
                    return;
                }
                const col = referencedColumn(rule, target);
                if (col === undefined) {
                    issues.push({ path: at("key"), message: `${rule.table} has no one-column primary key: set key to the referenced column` });
                } else if (Object.keys(target.columns).length > 0 && !(col in target.columns)) {
                    issues.push({ path: at("key"), message: `"${col}" is not in the columns of ${rule.table}` });
                }
                const from = key(t.source, t.table);
                edges.set(from, [...(edges.get(from) ?? []), { to: key(source, table), path: at("table") }]);
            }
        });
    }
    issues.push(...cycleIssues(edges));
    return issues;
}

/** Reference cycles (silver checks a referenced table first, so a table cannot depend on itself). */
function cycleIssues(edges: Map<string, { to: string; path: (string | number)[] }[]>): RuleIssue[] {
    const issues: RuleIssue[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (node: string, trail: string[]) => {
        state.set(node, "visiting");
        for (const edge of edges.get(node) ?? []) {
            if (state.get(edge.to) === "visiting") {
                const start = trail.indexOf(edge.to);
                const cycle = start < 0 ? [node, node] : [...trail.slice(start), node, edge.to];
                issues.push({ path: edge.path, message: `reference cycle ${cycle.join(" -> ")}: silver checks a referenced table before the tables that reference it` });
            } else if (!state.has(edge.to)) {
                visit(edge.to, [...trail, node]);
            }
        }
        state.set(node, "done");
    };
    for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
    return issues;
}

/** The rules in lake-spec form (valid rules only: call after `ruleIssues` found nothing). */
export function specRules(t: RuleTable, tables: RuleTable[]): LakeSpecRule[] {
    return t.rules.map((rule) => {
        const out: LakeSpecRule = {
            name: ruleName(rule),
            check: rule.check,
            severity: rule.severity,
            column: "column" in rule ? rule.column : null,
            columns: rule.check === "unique" ? [...rule.columns] : [],
            min: "min" in rule && rule.min !== undefined ? rule.min : null,
            max: "max" in rule && rule.max !== undefined ? rule.max : null,
            values: rule.check === "acceptedValues" ? [...rule.values] : [],
            pattern: rule.check === "pattern" ? rule.pattern : null,
            reference: null,
            maxAgeHours: rule.check === "freshness" ? rule.maxAgeHours : null,
        };
        if (rule.check === "reference") {
            const [source, table] = rule.table.split(".");
            const target = tables.find((x) => x.source === source && x.table === table) as RuleTable;
            out.reference = { source, table, column: referencedColumn(rule, target) as string };
        }
        return out;
    });
}
