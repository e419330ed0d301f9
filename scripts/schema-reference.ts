/**
 * Renders a JSON Schema (as zod's `toJSONSchema` writes them: draft 2020-12, no `$ref`s) as a Markdown
 * reference: one table per object, in the schema's order, each field with its type and constraints,
 * default and description. Pure: the generated docs (docs/config-reference.md,
 * docs/gold-model-reference.md) are this function's output, and a test compares them with it.
 */

/** A JSON Schema node, as far as the renderer reads it. */
export interface SchemaNode {
    description?: string;
    type?: string;
    properties?: Record<string, SchemaNode>;
    required?: string[];
    additionalProperties?: boolean | SchemaNode;
    propertyNames?: SchemaNode;
    items?: SchemaNode;
    anyOf?: SchemaNode[];
    oneOf?: SchemaNode[];
    enum?: unknown[];
    const?: unknown;
    default?: unknown;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
    exclusiveMaximum?: number;
    minLength?: number;
    maxLength?: number;
    minItems?: number;
    maxItems?: number;
    pattern?: string;
}

/** What a reference document says besides the schema's own text. */
export interface ReferenceOptions {
    /** The document's title (its one `#` heading). */
    title: string;
    /** Markdown between the title and the first table. */
    intro: string;
    /** What regenerates the document, for the do-not-edit note. */
    generatedBy: string;
}

/** One object of the schema, rendered as one table under its own heading. */
interface Section {
    /** `sources[].tables[]`; empty for the top level. */
    path: string;
    node: SchemaNode;
}

/** Bounds zod writes for any integer (`Number.MAX_SAFE_INTEGER`); not a constraint worth printing. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Text outside code spans with the characters Markdown (and GitHub's HTML) would take as syntax escaped; `|` everywhere, for tables. */
export function markdownText(text: string): string {
    return text
        .split(/(`[^`\n]*`)/)
        .map((part, i) => (i % 2 === 1 ? part.replace(/\|/g, "\\|") : part.replace(/[\\*_[\]|]/g, (c) => `\\${c}`).replace(/</g, "&lt;").replace(/>/g, "&gt;")))
        .join("")
        .replace(/\s*\n\s*/g, " ");
}

/** A value as inline code, with table pipes escaped. */
const code = (value: unknown) => `\`${(typeof value === "string" ? value : JSON.stringify(value)).replace(/\|/g, "\\|")}\``;

/** The heading text of a section and its GitHub anchor. */
export function sectionHeading(path: string): { text: string; anchor: string } {
    if (path === "") return { text: "Top level", anchor: "top-level" };
    return { text: code(path), anchor: path.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-") };
}

const branches = (node: SchemaNode): SchemaNode[] => node.anyOf ?? node.oneOf ?? [node];
const isObject = (node: SchemaNode) => node.type === "object" && node.properties !== undefined;
const isRecord = (node: SchemaNode) => node.type === "object" && typeof node.additionalProperties === "object";

/** The property every branch of a union of objects pins to a constant (`check`), if there is one. */
function discriminator(nodes: SchemaNode[]): string | undefined {
    if (nodes.length < 2 || !nodes.every(isObject)) return undefined;
    return Object.keys(nodes[0].properties!).find((key) => nodes.every((n) => n.properties![key]?.const !== undefined));
}

/** Range text of numeric bounds: `2–299`, `≥ 1`, `> 0 and ≤ 1`. */
function bounds(min: number | undefined, max: number | undefined, exclusiveMin?: number, exclusiveMax?: number): string | undefined {
    const lo = exclusiveMin !== undefined ? `> ${exclusiveMin}` : min !== undefined && min > -UNBOUNDED ? `≥ ${min}` : undefined;
    const hi = exclusiveMax !== undefined ? `< ${exclusiveMax}` : max !== undefined && max < UNBOUNDED ? `≤ ${max}` : undefined;
    if (lo?.startsWith("≥") && hi?.startsWith("≤")) return `${min}–${max}`;
    const parts = [lo, hi].filter((p): p is string => p !== undefined);
    return parts.length ? parts.join(" and ") : undefined;
}

/** A count in words: `1–49 items`, `at least 1 item`, `at most 50 characters`. */
function count(min: number | undefined, max: number | undefined, unit: string): string | undefined {
    const plural = (n: number) => `${n} ${n === 1 ? unit : `${unit}s`}`;
    if (min !== undefined && min > 0 && max !== undefined) return `${min}–${max} ${unit}s`;
    if (max !== undefined) return `at most ${plural(max)}`;
    if (min !== undefined && min > 0) return `at least ${plural(min)}`;
    return undefined;
}

/** `text` in parentheses when it has commas, so that it reads as one part of a longer type. */
const grouped = (text: string) => (text.includes(", ") && !text.startsWith("object") ? `(${text})` : text);

/** The type and constraints of a node, in words; objects link to their section. */
export function typeText(node: SchemaNode, path: string): string {
    const kinds = branches(node);
    if (kinds.length > 1) {
        const tag = discriminator(kinds);
        if (tag) return `object by ${code(tag)}: ${kinds.map((k) => code(k.properties![tag].const)).join(", ")} ([below](#${sectionHeading(path).anchor}))`;
        return kinds.map((k) => grouped(typeText(k, path))).join(" or ");
    }
    if (node.const !== undefined) return code(node.const);
    if (node.enum) return node.enum.map(code).join(" \\| ");
    switch (node.type) {
        case "string": {
            const nonEmpty = node.minLength === 1 && node.maxLength === undefined;
            const length = nonEmpty ? undefined : count(node.minLength, node.maxLength, "character");
            return [`${nonEmpty ? "non-empty " : ""}string`, length, node.pattern !== undefined ? `matching ${code(node.pattern)}` : undefined].filter(Boolean).join(", ");
        }
        case "integer":
        case "number":
            return [node.type, bounds(node.minimum, node.maximum, node.exclusiveMinimum, node.exclusiveMaximum)].filter(Boolean).join(" ");
        case "boolean":
            return "boolean";
        case "array": {
            const items = typeText(node.items ?? {}, `${path}[]`);
            return [`list of ${grouped(items)}`, count(node.minItems, node.maxItems, "item")].filter(Boolean).join(", ");
        }
        case "object":
            if (isObject(node)) return `object ([below](#${sectionHeading(path).anchor}))`;
            if (isRecord(node) || node.additionalProperties === undefined) {
                const key = node.propertyNames ? typeText(node.propertyNames, path) : "string";
                const value = typeof node.additionalProperties === "object" ? typeText(node.additionalProperties, `${path}.*`) : "any";
                return `map from ${grouped(key)} to ${grouped(value)}`;
            }
            return "object";
        default:
            return "any";
    }
}

/** The default column: the schema's default, **required**, or "optional" (the description says what then). */
function defaultText(prop: SchemaNode, required: boolean): string {
    if (required) return "**required**";
    if (prop.default === undefined) return "optional";
    if (typeof prop.default === "object" && prop.default !== null && Object.keys(prop.default).length === 0 && !Array.isArray(prop.default)) return "`{}` (the fields' defaults)";
    return code(prop.default);
}

/** The description of a property, or of its union's branches when it has none of its own. */
function descriptionOf(prop: SchemaNode): string {
    return prop.description ?? branches(prop).map((b) => b.description).filter(Boolean).join(" Or: ");
}

/** The objects below `node` at `path`, depth first in schema order, each once. */
function childSections(node: SchemaNode, path: string): Section[] {
    const found: Section[] = [];
    for (const branch of branches(node)) {
        if (isObject(branch)) {
            // The members of a discriminated union share one section; a plain object gets its own.
            if (branches(node).length === 1 || !discriminator(branches(node))) found.push({ path, node: branch });
            for (const [key, prop] of Object.entries(branch.properties!)) found.push(...childSections(prop, `${path ? `${path}.` : ""}${key}`));
        } else if (branch.type === "array" && branch.items) {
            found.push(...childSections(branch.items, `${path}[]`));
        } else if (isRecord(branch)) {
            found.push(...childSections(branch.additionalProperties as SchemaNode, `${path}.*`));
        }
    }
    const tag = discriminator(branches(node));
    if (tag) found.unshift({ path, node });
    return found;
}

/** One table row per field; a discriminated union's fields once per distinct field, with the variants that have it. */
function sectionTable(section: Section): string[] {
    const variants = branches(section.node);
    const tag = discriminator(variants);
    const child = (key: string) => `${section.path ? `${section.path}.` : ""}${key}`;
    if (!tag) {
        const rows = Object.entries(section.node.properties!).map(([key, prop]) => {
            const required = (section.node.required ?? []).includes(key);
            return `| ${code(key)} | ${typeText(prop, child(key))} | ${defaultText(prop, required)} | ${markdownText(descriptionOf(prop))} |`;
        });
        return ["| Field | Type | Default | Description |", "|---|---|---|---|", ...rows];
    }
    const rows = new Map<string, { key: string; prop: SchemaNode; required: boolean; in: unknown[] }>();
    for (const variant of variants) {
        for (const [key, prop] of Object.entries(variant.properties!)) {
            const required = (variant.required ?? []).includes(key);
            const id = JSON.stringify([key, key === tag ? "" : prop, required]);
            const row = rows.get(id) ?? { key, prop, required, in: [] };
            row.in.push(variant.properties![tag].const);
            rows.set(id, row);
        }
    }
    const body = [...rows.values()].map((r) => {
        const which = r.key === tag || r.in.length === variants.length ? "all" : r.in.map(code).join(", ");
        const type = r.key === tag ? variants.map((v) => code(v.properties![tag].const)).join(" \\| ") : typeText(r.prop, child(r.key));
        const description = r.key === tag ? "The kind of the entry; it decides which other fields it takes." : descriptionOf(r.prop);
        return `| ${code(r.key)} | ${which} | ${type} | ${defaultText(r.prop, r.required)} | ${markdownText(description)} |`;
    });
    return [`| Field | ${code(tag)} | Type | Default | Description |`, "|---|---|---|---|---|", ...body];
}

/** The Markdown reference of `schema`. */
export function schemaReference(schema: SchemaNode, options: ReferenceOptions): string {
    const lines = [`<!-- Generated by ${options.generatedBy}: do not edit; change the schema's descriptions and regenerate. -->`, "", `# ${options.title}`, "", options.intro.trim(), ""];
    const anchors = new Set<string>();
    for (const section of childSections(schema, "")) {
        const { anchor } = sectionHeading(section.path);
        if (anchors.has(anchor)) throw new Error(`two sections of "${options.title}" have the anchor #${anchor}`);
        anchors.add(anchor);
        const node = section.node;
        lines.push(`## ${sectionHeading(section.path).text}`, "");
        const description = section.path === "" ? undefined : node.description ?? branches(node).find(isObject)?.description;
        if (description) lines.push(markdownText(description), "");
        lines.push(...sectionTable(section), "");
    }
    return lines.join("\n");
}
