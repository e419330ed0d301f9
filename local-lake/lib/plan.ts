/**
 * `npm run plan -- <stack>`: what `pulumi up` would create for a stack, without an AWS account —
 * the real program run under the Pulumi SDK's mock runtime — as a resource tree, counts per type
 * and a Mermaid diagram of the data flow drawn from the registered resources' own inputs.
 */
import { LakeSpec } from "medallion-lake";
import { MockResource, runUnderMocks } from "./mock-run";
import { loadStackConfig, PROJECT_ROOT } from "../../stacks/stack-config";
import { createLake, secretConfigRef } from "../../stacks/program";
import { loadLakeStack } from "./config";
import { formatTable } from "./progress";

/** Stand-in for each source's `passwordSecret` value: the plan needs a value, never the real one. */
export const PLAN_PASSWORD_PLACEHOLDER = "plan-placeholder-not-a-password";

export interface StackPlan {
    stack: string;
    spec: LakeSpec;
    resources: MockResource[];
}

/** Runs the stack's program under mocks with its config (secrets replaced by placeholders). */
export async function planStack(stack: string): Promise<StackPlan> {
    const { config: lake, spec } = loadLakeStack(stack);
    const { config, secretKeys } = loadStackConfig(stack);
    const placeholders = lake.sources
        .filter((s) => s.passwordSecret)
        .map((s) => {
            const ref = secretConfigRef(s.passwordSecret as string);
            return `${ref.namespace}:${ref.key}`;
        });
    for (const key of [...secretKeys, ...placeholders]) config[key] = PLAN_PASSWORD_PLACEHOLDER;
    const { resources } = await runUnderMocks({
        stack,
        config,
        secretKeys: [...secretKeys, ...placeholders],
        program: () => createLake({ baseDir: PROJECT_ROOT }).outputs(),
    });
    return { stack, spec, resources };
}

const label = (r: MockResource) => `${r.name} (${r.type})`;

/** The resources as a tree by parent, children sorted by type then name. */
export function resourceTree(resources: MockResource[]): string {
    const children = new Map<string, MockResource[]>();
    for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    for (const list of children.values()) list.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    const urns = new Set(resources.map((r) => r.urn));
    const lines: string[] = [];
    const walk = (r: MockResource, prefix: string, last: boolean, root: boolean) => {
        lines.push(root ? label(r) : `${prefix}${last ? "└─ " : "├─ "}${label(r)}`);
        const kids = children.get(r.urn) ?? [];
        kids.forEach((k, i) => walk(k, root ? "" : `${prefix}${last ? "   " : "│  "}`, i === kids.length - 1, false));
    };
    for (const root of resources.filter((r) => !r.parent || !urns.has(r.parent))) walk(root, "", true, true);
    return lines.join("\n");
}

/** Resource counts per type, most numerous first, with the total. */
export function typeCounts(resources: MockResource[]): { type: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}

export function formatTypeCounts(resources: MockResource[]): string {
    const counts = typeCounts(resources);
    return formatTable(["type", "count"], [...counts.map((c) => [c.type, c.count]), ["total", resources.length]]);
}

const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
const text = (s: string) => s.replace(/"/g, "#quot;");
const ofType = (resources: MockResource[], type: string) => resources.filter((r) => r.type === type);

/**
 * Mermaid flowchart of the lake: sources -> Glue connections -> crawlers -> source catalog; bronze,
 * silver and gold jobs with the buckets they read and write (matched from their `--*_path`
 * arguments), the workflow's triggers, the catalog databases and the Athena workgroup.
 */
export function planDiagram(plan: StackPlan): string {
    const { spec, resources } = plan;
    const lines = ["flowchart LR"];
    const node = (nodeId: string, shape: "box" | "db" | "round", title: string) =>
        lines.push(`    ${nodeId}${shape === "db" ? `[("${text(title)}")]` : shape === "round" ? `("${text(title)}")` : `["${text(title)}"]`}`);
    const edge = (from: string, to: string, what?: string, dotted = false) =>
        lines.push(`    ${from} ${dotted ? "-.->" : "-->"}${what ? `|${text(what)}|` : ""} ${to}`);

    const connections = ofType(resources, "aws:glue/connection:Connection");
    const crawlers = ofType(resources, "aws:glue/crawler:Crawler");
    const jobs = ofType(resources, "aws:glue/job:Job");
    const buckets = ofType(resources, "aws:s3/bucket:Bucket");
    const databases = ofType(resources, "aws:glue/catalogDatabase:CatalogDatabase");
    const triggers = ofType(resources, "aws:glue/trigger:Trigger");
    const workgroups = ofType(resources, "aws:athena/workgroup:Workgroup");
    const namedQueries = ofType(resources, "aws:athena/namedQuery:NamedQuery");

    lines.push("    subgraph sources [Source databases]");
    for (const s of spec.sources) node(id("src", s.name), "db", `${s.name} (${s.engine})<br/>${s.tables.map((t) => t.name).join(", ")}`);
    lines.push("    end");
    for (const c of connections) {
        node(id("conn", c.inputs.name), "box", `Glue connection<br/>${c.inputs.name}`);
        const source = spec.sources.find((s) => s.connectionName === c.inputs.name);
        if (source) edge(id("src", source.name), id("conn", c.inputs.name), "JDBC");
    }
    for (const d of databases) node(id("db", d.inputs.name), "db", `Glue catalog<br/>${d.inputs.name}`);
    for (const c of crawlers) {
        node(id("crawler", c.inputs.name), "box", `Crawler<br/>${c.inputs.name}`);
        for (const name of new Set<string>((c.inputs.jdbcTargets ?? []).map((t: { connectionName: string }) => t.connectionName))) {
            edge(id("conn", name), id("crawler", c.inputs.name));
        }
        edge(id("crawler", c.inputs.name), id("db", c.inputs.databaseName), "tables");
    }
    const bucketLayer = (b: MockResource) => String(b.inputs.tags?.layer ?? b.name);
    for (const b of buckets) node(id("bucket", b.inputs.bucket), "db", `S3 ${bucketLayer(b)}<br/>${b.inputs.bucket}`);
    for (const j of jobs) {
        const layer = String(j.inputs.tags?.layer ?? "");
        node(id("job", j.inputs.name), "box", `Glue job ${layer}<br/>${j.inputs.name}`);
        for (const conn of (j.inputs.connections ?? []) as string[]) edge(id("conn", conn), id("job", j.inputs.name), "reads");
        for (const [arg, value] of Object.entries((j.inputs.defaultArguments ?? {}) as Record<string, string>)) {
            const match = /^--(\w+)_path$/.exec(arg);
            const bucket = match && buckets.find((b) => value.replace(/\/+$/, "") === `s3://${b.inputs.bucket}`);
            if (!match || !bucket) continue;
            if (match[1] === layer) edge(id("job", j.inputs.name), id("bucket", bucket.inputs.bucket), "writes");
            else edge(id("bucket", bucket.inputs.bucket), id("job", j.inputs.name), "reads");
        }
        const db = spec.databases[layer as keyof LakeSpec["databases"]];
        if (db && databases.some((d) => d.inputs.name === db)) edge(id("job", j.inputs.name), id("db", db), "registers", true);
    }
    for (const t of triggers) {
        const targets = ((t.inputs.actions ?? []) as { jobName?: string; crawlerName?: string }[]).map((a) =>
            a.jobName ? id("job", a.jobName) : id("crawler", a.crawlerName ?? ""),
        );
        const conditions = ((t.inputs.predicate?.conditions ?? []) as { jobName?: string; crawlerName?: string }[]).map((c) =>
            c.jobName ? id("job", c.jobName) : id("crawler", c.crawlerName ?? ""),
        );
        if (t.inputs.schedule) {
            node(id("schedule", t.inputs.name), "round", `schedule ${t.inputs.schedule}`);
            conditions.push(id("schedule", t.inputs.name));
        } else if (conditions.length === 0) {
            node(id("start", t.inputs.name), "round", `on demand (${t.inputs.name})`);
            conditions.push(id("start", t.inputs.name));
        }
        for (const from of conditions) for (const to of targets) edge(from, to, "trigger", true);
    }
    for (const w of workgroups) {
        node(id("wg", w.inputs.name), "box", `Athena workgroup ${w.inputs.name}<br/>${namedQueries.length} named queries`);
        for (const layer of ["bronze", "silver", "gold"] as const) {
            if (databases.some((d) => d.inputs.name === spec.databases[layer])) edge(id("db", spec.databases[layer]), id("wg", w.inputs.name), "SQL");
        }
        const results = String(w.inputs.configuration?.resultConfiguration?.outputLocation ?? "");
        const bucket = buckets.find((b) => results.startsWith(`s3://${b.inputs.bucket}`));
        if (bucket) edge(id("wg", w.inputs.name), id("bucket", bucket.inputs.bucket), "results");
    }
    return `${lines.join("\n")}\n`;
}
