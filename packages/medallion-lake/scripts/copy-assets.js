/**
 * Copies what the package ships besides its JavaScript into `assets/` (gitignored): the Glue entry
 * scripts, requirements.txt and the `medallion` package (with its JSON contracts, without bytecode)
 * from the repository's `glue-scripts/` into `assets/glue-scripts/`, and the JSON Schemas of
 * `schema/` into `assets/schema/`. Run by the package's build (`npm run build -w medallion-lake`),
 * and by the repository's ts-node hook (scripts/medallion-lake-source.ts) before any in-repo run, so
 * the copy is never stale. Writes a file only when its content differs, through a rename, so that
 * concurrent runs never see half a file; removes copied files whose source is gone.
 */
const fs = require("fs");
const path = require("path");

/** The package folder and the repository root it is built in. */
const PACKAGE_DIR = path.resolve(__dirname, "..");
const REPO_ROOT = path.resolve(PACKAGE_DIR, "..", "..");
const ASSETS_DIR = path.join(PACKAGE_DIR, "assets");

/** Files shipped: `[source relative to the repository, target relative to assets/]`. */
function shippedFiles() {
    const glue = path.join(REPO_ROOT, "glue-scripts");
    // Every job entry script (`<name>_job.py`: bronze, silver, gold, forget) and the jobs' requirements.
    const entries = fs.readdirSync(glue).filter((f) => f.endsWith("_job.py")).sort();
    const files = [...entries, "requirements.txt"].map((f) => [`glue-scripts/${f}`, `glue-scripts/${f}`]);
    const walk = (rel) => {
        for (const entry of fs.readdirSync(path.join(glue, rel), { withFileTypes: true })) {
            const child = `${rel}/${entry.name}`;
            if (entry.isDirectory()) {
                if (entry.name !== "__pycache__" && entry.name !== "tests") walk(child);
            } else if (!entry.name.endsWith(".pyc")) {
                files.push([`glue-scripts/${child}`, `glue-scripts/${child}`]);
            }
        }
    };
    walk("medallion");
    for (const f of fs.readdirSync(path.join(REPO_ROOT, "schema")).filter((f) => f.endsWith(".json"))) files.push([`schema/${f}`, `schema/${f}`]);
    return files;
}

/** Every file under `dir`, relative and `/`-separated. */
function listFiles(dir, rel = "") {
    if (!fs.existsSync(path.join(dir, rel))) return [];
    return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
        const child = rel ? `${rel}/${e.name}` : e.name;
        return e.isDirectory() ? listFiles(dir, child) : [child];
    });
}

/**
 * Brings `assets/` up to date with its sources.
 * @returns the number of files written or removed.
 * @throws Error naming a missing source file (the package cannot be built outside this repository).
 */
function copyAssets() {
    let changed = 0;
    const wanted = new Set();
    for (const [from, to] of shippedFiles()) {
        const source = path.join(REPO_ROOT, from);
        if (!fs.existsSync(source)) throw new Error(`medallion-lake assets: ${source} is missing`);
        const target = path.join(ASSETS_DIR, to);
        wanted.add(to);
        const content = fs.readFileSync(source);
        if (fs.existsSync(target) && content.equals(fs.readFileSync(target))) continue;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const temp = `${target}.${process.pid}.tmp`;
        fs.writeFileSync(temp, content);
        fs.renameSync(temp, target);
        changed++;
    }
    for (const rel of listFiles(ASSETS_DIR)) {
        if (!wanted.has(rel) && !rel.endsWith(".tmp")) {
            fs.rmSync(path.join(ASSETS_DIR, rel), { force: true });
            changed++;
        }
    }
    return changed;
}

module.exports = { copyAssets, ASSETS_DIR };

if (require.main === module) {
    const changed = copyAssets();
    console.log(`medallion-lake: assets up to date in ${path.relative(process.cwd(), ASSETS_DIR) || "."} (${changed} file${changed === 1 ? "" : "s"} changed)`);
}
