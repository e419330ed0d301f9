/**
 * The component as another project gets it: the package is built (`npm run build -w medallion-lake`:
 * its assets copied, tsc to JavaScript and declarations), packed (`npm pack`), and the tarball
 * installed into a new project in a temporary folder outside the repository, whose plain JavaScript
 * program (consumer/lake.js) builds a lake under the SDK's mocks. The install is offline: the new
 * project's lock is the repository's own (what `npm ci` put in the npm cache), so no registry is asked.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const PACKAGE_DIR = path.join(PROJECT_ROOT, "packages", "medallion-lake");
const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

interface Registered {
    type: string;
    name: string;
    source?: string;
}

/**
 * A lock for a project depending on `dependencies`: the repository lock's installed packages (the
 * workspace link left out), which npm prunes to what the project needs; the tarball resolves locally.
 */
function consumerLock(dependencies: Record<string, string>): object {
    const repoLock = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package-lock.json"), "utf8"));
    const installed = Object.entries(repoLock.packages as Record<string, { link?: boolean }>).filter(([key, entry]) => key.startsWith("node_modules/") && !entry.link);
    return { name: "consumer", lockfileVersion: 3, requires: true, packages: { "": { name: "consumer", dependencies }, ...Object.fromEntries(installed) } };
}

describe("package: medallion-lake packed and installed in another project", function () {
    this.timeout(600000);
    let work: string;
    let files: string[];
    let consumer: string;
    let resources: Registered[];

    before(() => {
        work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "medallion-lake-pack-")));
        expect(path.relative(PROJECT_ROOT, work).startsWith("..")).to.equal(true);
        npm(["run", "build", "--silent"], PACKAGE_DIR);
        const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], PACKAGE_DIR));
        files = packed.files.map((f: { path: string }) => f.path);

        consumer = path.join(work, "consumer");
        fs.mkdirSync(consumer);
        const rootDeps = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).dependencies;
        const dependencies: Record<string, string> = { "medallion-lake": `file:../${packed.filename}` };
        for (const peer of ["@pulumi/aws", "@pulumi/pulumi", "@pulumi/random"]) dependencies[peer] = rootDeps[peer];
        fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies }, null, 2));
        fs.writeFileSync(path.join(consumer, "package-lock.json"), JSON.stringify(consumerLock(dependencies), null, 2));
        npm(["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], consumer);
        fs.copyFileSync(path.join(__dirname, "consumer", "lake.js"), path.join(consumer, "lake.js"));
        resources = JSON.parse(execFileSync("node", ["lake.js"], { cwd: consumer, encoding: "utf8" })).resources;
    });

    after(() => {
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("ships the JavaScript, its declarations, the Glue scripts with their contracts and the schemas; no sources or tests", () => {
        expect(files).to.include.members([
            "package.json",
            "dist/index.js",
            "dist/index.d.ts",
            "dist/component/medallion-lake.d.ts",
            "assets/glue-scripts/bronze_job.py",
            "assets/glue-scripts/silver_job.py",
            "assets/glue-scripts/gold_job.py",
            "assets/glue-scripts/forget_job.py",
            "assets/glue-scripts/requirements.txt",
            "assets/glue-scripts/medallion/job_arguments.json",
            "assets/glue-scripts/medallion/iceberg.json",
            "assets/schema/lake-config.schema.json",
            "assets/schema/lake-spec.schema.json",
        ]);
        expect(files.filter((f) => f.startsWith("src/") || f.includes("tests/") || f.endsWith(".pyc") || f.endsWith(".ts") && !f.endsWith(".d.ts"))).to.deep.equal([]);
    });

    it("installs as a package of its own, outside the repository", () => {
        const installed = fs.realpathSync(path.join(consumer, "node_modules", "medallion-lake"));
        expect(installed.startsWith(work)).to.equal(true);
        expect(JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")).name).to.equal("medallion-lake");
    });

    it("registers the lake under the SDK's mocks: the component, its buckets, crawler and four Glue jobs (three layers and the on-demand forget job)", () => {
        const types = resources.map((r) => r.type);
        expect(resources.filter((r) => r.type === "medallion-lake:index:MedallionLake").map((r) => r.name)).to.deep.equal(["lake"]);
        expect(types.filter((t) => t === "aws:glue/job:Job")).to.have.length(4);
        expect(types).to.include.members(["aws:s3/bucket:Bucket", "aws:glue/crawler:Crawler", "aws:glue/catalogDatabase:CatalogDatabase", "aws:iam/role:Role"]);
    });

    it("uploads the Glue scripts found inside the installed package", () => {
        const assets = path.join(fs.realpathSync(path.join(consumer, "node_modules", "medallion-lake")), "assets", "glue-scripts");
        const scripts = resources.filter((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.source?.endsWith(".py"));
        expect(scripts.map((r) => r.source).sort()).to.deep.equal(["bronze_job.py", "forget_job.py", "gold_job.py", "silver_job.py"].map((f) => path.join(assets, f)));
    });
});
