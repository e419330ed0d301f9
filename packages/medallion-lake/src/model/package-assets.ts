/**
 * The files the package ships besides its code (`assets/` of the package: the Glue scripts with their
 * JSON contracts, the JSON Schemas), found from this module's own location, never the working
 * directory: the same in the repository (src/) and in an installed package (dist/).
 */
import * as fs from "fs";
import * as path from "path";

/** The npm name of this package, which its package.json must carry. */
export const NPM_PACKAGE_NAME = "medallion-lake";

/**
 * The package's folder: the nearest folder at or above `from` whose package.json is named
 * `medallion-lake`.
 * @throws Error when no such folder exists.
 */
export function packageRoot(from: string = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === NPM_PACKAGE_NAME) return dir;
        if (path.dirname(dir) === dir) throw new Error(`${NPM_PACKAGE_NAME}: no package.json named "${NPM_PACKAGE_NAME}" at or above ${from}`);
    }
}

/**
 * The path of a shipped file or folder, `assets/<relative>` of the package.
 * @throws Error naming the path when it is missing (in a checkout: the package's assets were not copied).
 */
export function assetPath(relative: string, root: string = packageRoot()): string {
    const file = path.join(root, "assets", relative);
    if (!fs.existsSync(file)) {
        throw new Error(`${NPM_PACKAGE_NAME}: ${file} is missing; in a checkout of the repository, build the package (npm run build -w ${NPM_PACKAGE_NAME})`);
    }
    return file;
}

/** A shipped JSON file, parsed. @throws Error when it is missing. */
export function readAssetJson<T>(relative: string): T {
    return JSON.parse(fs.readFileSync(assetPath(relative), "utf8")) as T;
}
