/**
 * In this repository, `medallion-lake` is its TypeScript source: loaded by every ts-node run (the
 * `ts-node.require` of tsconfig.json: mocha, `npm run lake`/`plan`/`policy`, Pulumi's ts-node), this
 * hook brings the package's `assets/` up to date with glue-scripts/ and schema/
 * (packages/medallion-lake/scripts/copy-assets.js) and resolves the name `medallion-lake` to
 * packages/medallion-lake/src/index.ts, so that no run reads a stale build. The built package
 * (dist/, what `npm pack` ships) is tested by tests/package/pack.test.ts.
 */
import Module from "module";
import * as path from "path";

const PACKAGE_DIR = path.resolve(__dirname, "..", "packages", "medallion-lake");
const SOURCE_ENTRY = path.join(PACKAGE_DIR, "src", "index.ts");

(require(path.join(PACKAGE_DIR, "scripts", "copy-assets.js")) as { copyAssets: () => number }).copyAssets();

type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleWithResolve = Module as unknown as { _resolveFilename: Resolve };
const resolve = moduleWithResolve._resolveFilename;
moduleWithResolve._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return resolve.call(this, request === "medallion-lake" ? SOURCE_ENTRY : request, ...rest);
};
