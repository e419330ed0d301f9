/**
 * A table's declared data-quality rules (the lake spec's normalized rules, quality-rules.ts) as a
 * Glue Data Quality ruleset in DQDL, for the console; the silver job stays the one that enforces
 * them. Pure. A rule is written only where DQDL says the same thing; every other rule is skipped
 * with the reason, listed in the ruleset's leading comments and returned.
 *
 * DQDL reference: https://docs.aws.amazon.com/glue/latest/dg/dqdl.html (syntax, composite rules,
 * labels) and https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types.html; grammar and parser:
 * https://github.com/awslabs/dqdl (configuration/dqdl/DataQualityDefinitionLanguage.g4). Facts the
 * translation rests on:
 * - `ColumnValues` fails NULL rows except with `!=`/`not in`
 *   (https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types-ColumnValues.html); declared rules
 *   let nulls pass, hence `where "<column> is not null"` (and NULL in accepted-value lists).
 * - `between a and b` is exclusive (the parser's NumberBasedCondition: `metric > a && metric < b`),
 *   declared ranges are inclusive, hence `>=` and `<=` joined with `and`.
 * - A quoted string takes `\"` and `\\` escapes; a regular expression is used as written (no
 *   unescaping), so a pattern containing `"` cannot be written and is skipped.
 */
import { LakeSpecColumn } from "./lake-spec";
import { LakeSpecRule } from "./quality-rules";

/** The DQDL of one table: undefined when no rule can be written. */
export interface DqdlRuleset {
    /** The ruleset document (`Rules = [ ... ]`), its skipped rules as leading comments. */
    ruleset: string | undefined;
    /** Names of the rules written. */
    written: string[];
    /** Rules with no DQDL equivalent, and why. */
    skipped: { rule: string; reason: string }[];
}

/** Why a rule kind never has a DQDL equivalent here. */
const UNTRANSLATABLE: Partial<Record<LakeSpecRule["check"], string>> = {
    reference: "DQDL ReferentialIntegrity needs the referenced table as an extra data source of every evaluation run, which a ruleset published for one table does not have",
    rowCount: "DQDL RowCount counts the whole table; the declared rule counts the rows of the run",
    freshness: "DQDL DataFreshness judges every row's age; the declared rule judges the newest value",
};

const NUMERIC_TYPES = /^(smallint|int|bigint|double|decimal\(.*\))$/;

class Untranslatable extends Error {}

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** A number as DQDL's grammar takes it (digits, optional sign and fraction; no exponent). */
function number(n: number): string {
    const text = String(n);
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Untranslatable(`DQDL cannot write the number ${text}`);
    return text;
}

/** A string value of an accepted-values list (no `"` or `\`, which the parser keeps escaped). */
function stringValue(v: string): string {
    if (/["\\]/.test(v)) throw new Untranslatable(`the value ${JSON.stringify(v)} holds " or \\`);
    return quote(v);
}

/** The rule in DQDL, without labels; throws Untranslatable. */
function ruleText(rule: LakeSpecRule, types: Record<string, string>): string {
    const reason = UNTRANSLATABLE[rule.check];
    if (reason) throw new Untranslatable(reason);
    const column = rule.column as string;
    const nonNull = (...cols: string[]) => `where ${quote(cols.map((c) => `${c} is not null`).join(" and "))}`;
    switch (rule.check) {
        case "notNull":
            return `IsComplete ${quote(column)}`;
        case "range": {
            const bounds = [rule.min === null ? undefined : `>= ${number(rule.min)}`, rule.max === null ? undefined : `<= ${number(rule.max)}`].filter((b) => b !== undefined);
            const parts = bounds.map((b) => `ColumnValues ${quote(column)} ${b} ${nonNull(column)}`);
            return parts.length === 1 ? parts[0] : `(${parts.join(") and (")})`;
        }
        case "acceptedValues": {
            const numeric = NUMERIC_TYPES.test(types[column] ?? "");
            const kind = numeric ? "number" : types[column] === "string" ? "string" : undefined;
            if (!kind || !rule.values.every((v) => typeof v === kind)) throw new Untranslatable(`DQDL lists need values of the column's kind (${types[column]}), without booleans`);
            const values = rule.values.map((v) => (typeof v === "number" ? number(v) : stringValue(v as string)));
            return `ColumnValues ${quote(column)} in [${[...values, "NULL"].join(", ")}]`;
        }
        case "pattern": {
            const p = rule.pattern as string;
            if (types[column] !== "string") throw new Untranslatable(`DQDL matches applies to string columns, ${column} is ${types[column]}`);
            if (p.includes('"')) throw new Untranslatable('the pattern holds ", which a DQDL regular expression cannot');
            // The declared rule needs a match somewhere in the value; anchored, that reads the same
            // whether DQDL matches whole values or finds a match.
            const whole = p.startsWith("^") && p.endsWith("$") && !p.endsWith("\\$") ? p : `(?s).*(?:${p}).*`;
            return `ColumnValues ${quote(column)} matches "${whole}" ${nonNull(column)}`;
        }
        case "unique":
            return `IsUnique ${rule.columns.map(quote).join(" ")} ${nonNull(...rule.columns)}`;
        default:
            throw new Untranslatable(`no DQDL equivalent of ${rule.check}`);
    }
}

/** The DQDL ruleset of a table's rules (`columns`: its declared columns, for the values' kinds). */
export function dqdlRuleset(table: string, rules: LakeSpecRule[], columns: LakeSpecColumn[]): DqdlRuleset {
    const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    const lines: string[] = [];
    const out: DqdlRuleset = { ruleset: undefined, written: [], skipped: [] };
    for (const rule of rules) {
        try {
            const text = ruleText(rule, types);
            const labels = `labels=[${quote("rule")}=${quote(rule.name)}, ${quote("severity")}=${quote(rule.severity)}]`;
            lines.push(`${text.startsWith("(") ? `(${text})` : text} ${labels}`);
            out.written.push(rule.name);
        } catch (e) {
            if (!(e instanceof Untranslatable)) throw e;
            out.skipped.push({ rule: rule.name, reason: e.message });
        }
    }
    if (lines.length === 0) return out;
    const header = [
        `# The declared data-quality rules of ${table} (medallion-lake config), enforced by the silver job.`,
        ...out.skipped.map((s) => `# Not here (no DQDL equivalent): ${s.rule}: ${s.reason}.`),
    ];
    out.ruleset = `${header.join("\n")}\nRules = [\n${lines.map((l) => `    ${l}`).join(",\n")}\n]`;
    return out;
}
