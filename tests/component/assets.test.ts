import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lakeSpec, parseLakeConfig } from "medallion-lake";
import { directoryKey, fileKey, packageFiles, planAssets } from "../../packages/medallion-lake/src/component/assets";
import { contentHash } from "../../packages/medallion-lake/src/model/content-hash";
import { rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

describe("content-hashed asset keys", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lake-assets-"));
        fs.mkdirSync(path.join(dir, "medallion", "sub"), { recursive: true });
        fs.writeFileSync(path.join(dir, "bronze_job.py"), "print('v1')\n");
        fs.writeFileSync(path.join(dir, "medallion", "__init__.py"), "");
        fs.writeFileSync(path.join(dir, "medallion", "sub", "x.py"), "X = 1\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("changes a script's key when its content changes, and only then", () => {
        const file = path.join(dir, "bronze_job.py");
        const v1 = fileKey("scripts/", file);
        expect(v1).to.match(/^scripts\/bronze_job-[0-9a-f]{16}\.py$/);
        expect(fileKey("scripts/", file)).to.equal(v1);
        fs.writeFileSync(file, "print('v2')\n");
        const v2 = fileKey("scripts/", file);
        expect(v2).not.to.equal(v1);
        fs.writeFileSync(file, "print('v1')\n");
        expect(fileKey("scripts/", file)).to.equal(v1);
    });

    it("changes the package key on edits, additions and renames, not on bytecode caches", () => {
        const pkg = path.join(dir, "medallion");
        const base = directoryKey("scripts/", pkg);
        expect(base).to.match(/^scripts\/medallion-[0-9a-f]{16}\.zip$/);
        fs.mkdirSync(path.join(pkg, "__pycache__"));
        fs.writeFileSync(path.join(pkg, "__pycache__", "x.cpython-311.pyc"), "junk");
        expect(directoryKey("scripts/", pkg)).to.equal(base);
        fs.writeFileSync(path.join(pkg, "sub", "x.py"), "X = 2\n");
        const edited = directoryKey("scripts/", pkg);
        expect(edited).not.to.equal(base);
        fs.renameSync(path.join(pkg, "sub", "x.py"), path.join(pkg, "sub", "y.py"));
        const renamed = directoryKey("scripts/", pkg);
        expect(renamed).not.to.equal(edited);
        fs.writeFileSync(path.join(pkg, "new.py"), "");
        expect(directoryKey("scripts/", pkg)).not.to.equal(renamed);
        expect(packageFiles(pkg)).to.deep.equal(["__init__.py", "new.py", "sub/y.py"]);
    });

    it("hashes content, not the way it is split", () => {
        expect(contentHash("ab")).to.equal(contentHash(["a", "b"]));
        expect(contentHash("ab")).not.to.equal(contentHash("ba"));
    });

    it("ships the package data the jobs load at run time (job_arguments.json) in the package zip", () => {
        const spec = lakeSpec(parseLakeConfig(rawLake("dev"), PROJECT_ROOT), "dev");
        const plan = planAssets(path.resolve(__dirname, "..", "..", "glue-scripts"), spec);
        expect(plan.package.files).to.include.members(["__init__.py", "arguments.py", "job_arguments.json"]);
    });

    it("names the missing entry script when planning uploads", () => {
        const spec = lakeSpec(parseLakeConfig(rawLake("dev"), PROJECT_ROOT), "dev");
        expect(() => planAssets(dir, spec)).to.throw(/silver entry script not found at .*silver_job\.py/);
    });
});
