/**
 * The repository's layers, enforced on every import: the pure lake model (packages/medallion-lake/src/model)
 * imports no Pulumi and nothing of the component; the package's source imports nothing outside the
 * package, and only packages it declares; runtime code never imports test support; the query engines
 * import nothing of the local lake; no runtime Python imports the tests' oracle (tests/support/expected_gold.py).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import * as ts from "typescript";
import { expect } from "chai";
import { PROJECT_ROOT } from "../stacks/stack-config";

const PACKAGE_DIR = "packages/medallion-lake";
const MODEL_DIR = `${PACKAGE_DIR}/src/model`;
const COMPONENT_DIR = `${PACKAGE_DIR}/src/component`;

/** An import of one file: the specifier as written and, for a relative one, the repository path it resolves to. */
interface Edge {
    from: string;
    specifier: string;
    target?: string;
}

const under = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);
const isTest = (file: string) => /^(tests|glue-scripts\/tests|local-lake\/tests)\//.test(file);
/** `@pulumi/aws/s3` -> `@pulumi/aws`, `yaml` -> `yaml`. */
const packageName = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/** The imports (static, dynamic, `require`, re-exports) of a TypeScript file's text. */
export function tsImports(file: string, text: string): Edge[] {
    return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: specifier }) => ({
        from: file,
        specifier,
        target: specifier.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) : undefined,
    }));
}

/** The modules a Python file's text imports (`import a.b`, `from a import b`; relative ones as `.x`). */
export function pyImports(file: string, text: string): Edge[] {
    const edges: Edge[] = [];
    for (const m of text.matchAll(/^\s*(?:from\s+(\.*[\w.]*)\s+import|import\s+([\w.]+(?:\s*,\s*[\w.]+)*))/gm)) {
        for (const name of (m[1] ?? m[2]).split(",")) edges.push({ from: file, specifier: name.trim() });
    }
    return edges;
}

/** Every edge that breaks a layer rule, as `from -> specifier: rule`. */
export function forbiddenEdges(edges: Edge[], packageDependencies: readonly string[]): string[] {
    const problems: string[] = [];
    const forbid = (e: Edge, rule: string) => problems.push(`${e.from} -> ${e.specifier}: ${rule}`);
    for (const e of edges) {
        if (e.from.endsWith(".py")) {
            if (!isTest(e.from) && /^expected_gold(\.|$)/.test(e.specifier)) forbid(e, "runtime Python imports the tests' oracle");
            continue;
        }
        if (under(e.from, MODEL_DIR)) {
            if (e.specifier.startsWith("@pulumi/")) forbid(e, "the lake model imports no Pulumi");
            if (e.target && under(e.target, COMPONENT_DIR)) forbid(e, "the lake model does not depend on the component");
        }
        if (under(e.from, `${PACKAGE_DIR}/src`)) {
            if (e.target && !under(e.target, PACKAGE_DIR)) forbid(e, "the package's source imports nothing outside the package");
            if (!e.target && !e.specifier.startsWith("node:") && !builtinModules.includes(e.specifier) && !packageDependencies.includes(packageName(e.specifier))) {
                forbid(e, `the package's source imports only what ${PACKAGE_DIR}/package.json declares`);
            }
        }
        if (!isTest(e.from) && e.target && under(e.target, "tests")) forbid(e, "runtime code never imports test support");
        if (under(e.from, "query-engines") && e.target && under(e.target, "local-lake")) forbid(e, "the query engines import nothing of the local lake");
    }
    return problems;
}

/** The package's declared dependencies and peer dependencies. */
function declaredDependencies(): string[] {
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, PACKAGE_DIR, "package.json"), "utf8"));
    return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
}

describe("layers: the import rules", () => {
    const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.py"], { cwd: PROJECT_ROOT, encoding: "utf8" })
        .split("\n")
        .filter((f) => f && fs.existsSync(path.join(PROJECT_ROOT, f)));
    const edges = tracked.flatMap((f) => {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8");
        return f.endsWith(".py") ? pyImports(f, text) : tsImports(f, text);
    });

    it("reads the imports of every TypeScript and Python file, the package's among them", () => {
        expect(tracked.filter((f) => f.endsWith(".ts")).length).to.be.greaterThan(100);
        expect(edges.some((e) => e.from === `${PACKAGE_DIR}/src/index.ts` && e.target === `${COMPONENT_DIR}/medallion-lake`)).to.equal(true);
        expect(edges.some((e) => e.from === "tests/support/expected_gold.py" && e.specifier === "localdb.verify")).to.equal(true);
    });

    it("finds no forbidden edge in the repository", () => {
        expect(forbiddenEdges(edges, declaredDependencies())).to.deep.equal([]);
    });

    it("names each kind of forbidden edge", () => {
        const edge = (from: string, text: string) => (from.endsWith(".py") ? pyImports(from, text) : tsImports(from, text));
        const bad = [
            ...edge(`${MODEL_DIR}/naming.ts`, 'import * as aws from "@pulumi/aws";\nimport { LakeContext } from "../component/context";'),
            ...edge(`${COMPONENT_DIR}/jobs.ts`, 'import contract from "../../../../glue-scripts/medallion/job_arguments.json";\nimport { x } from "left-pad";'),
            ...edge("local-lake/lib/plan.ts", 'const h = require("../../tests/support/helpers");'),
            ...edge("query-engines/duckdb.ts", 'export type { IcebergFile } from "../local-lake/lib/iceberg-files";'),
            ...edge("benchmarks/drift_rows.py", "    from expected_gold import expected\n"),
        ];
        expect(forbiddenEdges(bad, ["zod"])).to.deep.equal([
            `${MODEL_DIR}/naming.ts -> @pulumi/aws: the lake model imports no Pulumi`,
            `${MODEL_DIR}/naming.ts -> @pulumi/aws: the package's source imports only what ${PACKAGE_DIR}/package.json declares`,
            `${MODEL_DIR}/naming.ts -> ../component/context: the lake model does not depend on the component`,
            `${COMPONENT_DIR}/jobs.ts -> ../../../../glue-scripts/medallion/job_arguments.json: the package's source imports nothing outside the package`,
            `${COMPONENT_DIR}/jobs.ts -> left-pad: the package's source imports only what ${PACKAGE_DIR}/package.json declares`,
            "local-lake/lib/plan.ts -> ../../tests/support/helpers: runtime code never imports test support",
            "query-engines/duckdb.ts -> ../local-lake/lib/iceberg-files: the query engines import nothing of the local lake",
            "benchmarks/drift_rows.py -> expected_gold: runtime Python imports the tests' oracle",
        ]);
    });
});
