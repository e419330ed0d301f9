/**
 * A lake's table catalog: one file (`catalog` in the lake config) holding the sources' tables and
 * the gold models, which every environment's stack file names, so that dev, prod and local deploy the
 * same tables and rules. Reading it, merging it into one environment's lake config, and the relative
 * paths of a lake config. The merge rules (docs/config.md "Table catalog"):
 * - the catalog holds each source's `tables` and the lake's `gold`; the stack file holds everything
 *   else (connections, credentials, sizes, protection, schedules, alerts);
 * - nothing the catalog holds may be set in a stack file that names it: no source there has
 *   `tables`, the lake has no `gold`. An environment cannot add, drop or redefine a table or rule;
 * - both name the same sources: a source in one and not the other is an error (in the file missing it);
 * - relative paths start at the folder of the file holding them: `catalog` at the lake config's
 *   base folder (the stack file's), the catalog's `gold.models` at the catalog file's.
 * Never the working directory: without a base folder a relative path is an error.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { LakeConfigIssue } from "./errors";

/** The catalog file, validated (config.ts `lakeCatalogSchema`): tables as written, checked again once merged. */
export interface LakeCatalog {
    sources: { name: string; tables: unknown[] }[];
    gold?: { models: string | string[] };
}

/** A lake config with its catalog merged in, and where the merged fields came from. */
export interface MergedLake {
    /** The lake config with the catalog's tables and gold in place (as if written in one file). */
    lake: unknown;
    /** Merge problems: a redefined table or gold, a source on one side only. */
    issues: LakeConfigIssue[];
    /** Folder the merged `gold.models` paths start at. */
    goldBaseDir: string | undefined;
    /** An issue of the merged config, moved to the catalog file when it is about a field from there. */
    locate: (issue: LakeConfigIssue) => LakeConfigIssue;
}

/** File names a catalog may have: YAML (JSON is YAML too). */
const CATALOG_FILE = /\.(ya?ml|json)$/;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Why `value` (a path in a lake config) cannot be resolved: a relative path and no base folder to start it at. */
export function relativePathProblem(value: string, baseDir: string | undefined): string | undefined {
    if (path.isAbsolute(value) || baseDir !== undefined) return undefined;
    return `"${value}" is a relative path, but no base folder was given to start it at (the stack file's folder, or the Pulumi project folder: baseDir); the working directory is never used`;
}

/** The lake config unchanged: no catalog. */
function withoutCatalog(lake: unknown, baseDir: string | undefined, issues: LakeConfigIssue[] = []): MergedLake {
    return { lake, issues, goldBaseDir: baseDir, locate: (issue) => issue };
}

/**
 * Reads the catalog file `lake.catalog` names (relative to `baseDir`) and hands its document to
 * `validate`, then merges it into `lake`. A lake config without `catalog` (or not an object, or with
 * a `catalog` that is not a string: the lake schema reports those) comes back as it is.
 * @param validate the catalog file's schema: its validated value, or its issues (paths inside the file).
 */
export function mergeCatalogFile(
    lake: unknown,
    baseDir: string | undefined,
    validate: (doc: unknown) => { catalog: LakeCatalog } | { issues: LakeConfigIssue[] },
): MergedLake {
    if (!isObject(lake) || typeof lake.catalog !== "string") return withoutCatalog(lake, baseDir);
    const named = lake.catalog;
    const at = (message: string) => withoutCatalog(lake, baseDir, [{ path: "catalog", message }]);
    const noBase = relativePathProblem(named, baseDir);
    if (noBase) return at(noBase);
    if (!CATALOG_FILE.test(named)) return at(`must name a .yaml, .yml or .json file, got "${named}"`);
    const file = path.resolve(baseDir ?? "/", named);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return at(`no file ${file}`);
    let doc: unknown;
    try {
        doc = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (e) {
        return at(`${file} is not valid YAML: ${(e as Error).message}`);
    }
    const validated = validate(doc);
    if ("issues" in validated) return withoutCatalog(lake, baseDir, validated.issues.map((i) => ({ ...i, file: named })));
    return mergeCatalog(lake, validated.catalog, named, path.dirname(file));
}

/**
 * Merges a validated catalog into one environment's lake config (the rules above).
 * @param named the catalog file as the lake config names it, for messages.
 * @param catalogDir the catalog file's folder: its `gold.models` paths start there.
 */
export function mergeCatalog(lake: Record<string, unknown>, catalog: LakeCatalog, named: string, catalogDir: string): MergedLake {
    const issues: LakeConfigIssue[] = [];
    const inCatalog = new Map<string, number>();
    catalog.sources.forEach((s, j) => {
        if (inCatalog.has(s.name)) issues.push({ file: named, path: `sources[${j}].name`, message: `duplicate source name "${s.name}" (also sources[${inCatalog.get(s.name)}])` });
        else inCatalog.set(s.name, j);
    });
    if (lake.gold !== undefined) {
        issues.push({ path: "gold", message: `the gold models are in the catalog ${named}: a stack file naming a catalog cannot set gold (every environment builds the catalog's models)` });
    }
    // Stack source index -> catalog source index, for the sources both name.
    const origin = new Map<number, number>();
    const stackSources = Array.isArray(lake.sources) ? lake.sources : undefined;
    if (!stackSources) return withoutCatalog(lake, catalogDir, issues); // the lake schema reports a missing or malformed sources
    const inStack = new Set<string>();
    const sources = stackSources.map((s: unknown, i) => {
        if (!isObject(s) || typeof s.name !== "string") return s; // the lake schema reports it
        inStack.add(s.name);
        if (s.tables !== undefined) {
            issues.push({ path: `sources[${i}].tables`, message: `the tables of source "${s.name}" are in the catalog ${named}: an environment cannot redefine them (remove tables here; change the catalog for every environment)` });
        }
        const j = inCatalog.get(s.name);
        if (j === undefined) {
            issues.push({ path: `sources[${i}].name`, message: `no source "${s.name}" in the catalog ${named}, which holds every source's tables` });
            return s;
        }
        origin.set(i, j);
        return { ...s, tables: catalog.sources[j].tables };
    });
    for (const [name, j] of inCatalog) {
        if (!inStack.has(name)) {
            issues.push({ file: named, path: `sources[${j}].name`, message: `source "${name}" has no connection in this environment's lake config: add it to sources (engine, host, database, credentials)` });
        }
    }
    const merged = { ...lake, sources, ...(catalog.gold ? { gold: catalog.gold } : {}) };
    const locate = (issue: LakeConfigIssue): LakeConfigIssue => {
        if (issue.file) return issue;
        if (/^gold([.[]|$)/.test(issue.path)) return { ...issue, file: named };
        const m = /^sources\[(\d+)\]\.tables(.*)$/s.exec(issue.path);
        const j = m ? origin.get(Number(m[1])) : undefined;
        return m && j !== undefined ? { ...issue, file: named, path: `sources[${j}].tables${m[2]}` } : issue;
    };
    return { lake: merged, issues, goldBaseDir: catalogDir, locate };
}

/**
 * The lake config with its relative paths (`catalog`, `gold.models`) moved from folder `from` to
 * folder `to`, so that they name the same files when read from `to` (the Automation API writes the
 * config a service validated in its own folder into the program's project folder). Absolute paths
 * and other fields stay as they are; the catalog's own paths are relative to the catalog, unaffected.
 */
export function rebaseLakePaths(lake: unknown, from: string, to: string): unknown {
    if (!isObject(lake) || path.resolve(from) === path.resolve(to)) return lake;
    const rebase = (p: unknown) => (typeof p === "string" && !path.isAbsolute(p) ? path.relative(to, path.resolve(from, p)) || "." : p);
    const out: Record<string, unknown> = { ...lake };
    if (out.catalog !== undefined) out.catalog = rebase(out.catalog);
    if (isObject(out.gold)) {
        const models = out.gold.models;
        out.gold = { ...out.gold, models: Array.isArray(models) ? models.map(rebase) : rebase(models) };
    }
    return out;
}
