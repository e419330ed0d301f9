/**
 * Column classifications (docs/governance.md): a source column declares one in the stack config
 * (`columns: { email: { type: string, classification: pii } }`), and the gold job carries it into
 * the gold models by the column lineage of their SQL (glue-scripts/medallion/lineage.py), unless a
 * model's declaration declassifies a column with a reason (`declassify: { orders: aggregate count }`).
 *
 * A small fixed vocabulary, not free-form tags: each value becomes a Glue column parameter, a Lake
 * Formation LF-tag value (an LF-tag takes only the values declared on it) and a local Trino mask, and a
 * grant names the classifications it may see; a misspelt free-form tag would leave a column
 * unprotected without any error, where an unknown value here fails the config.
 */
import { z } from "zod";

/**
 * The classifications, most restrictive first: `pii` is personal data (it identifies or describes a
 * person: names, emails, phone numbers, addresses); `sensitive` is confidential data about no one in
 * particular (margins, commissions). A gold column computed from columns of both is `pii`.
 */
export const CLASSIFICATIONS = ["pii", "sensitive"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** The Glue column parameter the jobs set on each classified column of silver and gold tables. */
export const CLASSIFICATION_PARAMETER = "classification";

export const classificationSchema = z
    .enum(CLASSIFICATIONS, { error: () => `expected one of ${CLASSIFICATIONS.join(", ")} (docs/governance.md)` })
    .describe("The column's classification: pii (personal data) or sensitive (confidential, about no one in particular). Default: none.");

/** A gold model's `declassify`: model column -> why its values are no longer classified. */
export const declassifySchema = z
    .record(
        z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a column of the model"),
        z.string().trim().min(3, "give the reason the column's values are no longer classified (e.g. aggregate count)").max(255),
    )
    .default({})
    .describe(
        "Model columns computed from classified columns that are not classified themselves, each with the reason (an aggregate, a hash); the gold job refuses one that derives from no classified column. Default: none.",
    );

/** `declassify` keys that are not among the model's declared columns: one issue each, at `at.declassify.<column>`. */
export function declassifyIssues(declassify: Record<string, string>, columns: readonly string[], at: string): { path: string; message: string }[] {
    return Object.keys(declassify)
        .filter((c) => !columns.includes(c))
        .map((c) => ({ path: `${at}.declassify.${c}`, message: `"${c}" is not among the model's columns (${columns.join(", ")})` }));
}
