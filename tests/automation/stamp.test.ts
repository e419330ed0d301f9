import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as YAML from "yaml";
import { EnvironmentStamper } from "../../stacks/automation";
import { main, parseStampArgs } from "../../stacks/stamp";
import { FakeRunner } from "./fake-runner";

const ROOT = path.resolve(__dirname, "../..");

/** Runs the CLI with a fake runner, capturing what it prints. */
async function runCli(argv: string[], root = ROOT) {
    const runner = new FakeRunner();
    runner.autoResolve = { athenaWorkGroup: "tickit-dev" };
    const printed: string[] = [];
    const errors: string[] = [];
    const stderrWrite = process.stderr.write;
    process.stderr.write = ((text: string) => errors.push(text) > 0) as typeof process.stderr.write;
    try {
        const code = await main(argv, { stamper: new EnvironmentStamper(runner), root, write: (t) => printed.push(t) });
        return { code, runner, printed: printed.join(""), errors: errors.join("") };
    } finally {
        process.stderr.write = stderrWrite;
    }
}

describe("npm run stamp", () => {
    it("parses <env> and one of --preview / --destroy", () => {
        expect(parseStampArgs(["dev"])).to.deep.equal({ env: "dev", action: "up" });
        expect(parseStampArgs(["--preview", "prod"])).to.deep.equal({ env: "prod", action: "preview" });
        expect(parseStampArgs(["dev", "--destroy"])).to.deep.equal({ env: "dev", action: "destroy" });
        expect(() => parseStampArgs([])).to.throw(/missing <env>\nusage: npm run stamp/);
        expect(() => parseStampArgs(["dev", "--preview", "--destroy"])).to.throw(/choose one of --preview and --destroy/);
        expect(() => parseStampArgs(["dev", "--yes"])).to.throw(/unknown option --yes/);
        expect(() => parseStampArgs(["dev", "prod"])).to.throw(/expected one <env>, got dev prod/);
    });

    it("stamps with the lake and region of Pulumi.<env>.yaml and prints the outputs", async () => {
        const { code, runner, printed } = await runCli(["dev"]);
        expect(code).to.equal(0);
        const file = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config;
        expect(runner.settings).to.have.length(1);
        expect(runner.settings[0].stackName).to.equal("dev");
        expect(runner.settings[0].config["medallion-lake:lake"].objectValue).to.deep.equal(file["medallion-lake:lake"]);
        expect(runner.settings[0].config["aws:region"]).to.deep.equal({ value: "us-east-1", secret: false });
        expect(printed).to.contain('"athenaWorkGroup": "tickit-dev"');
    });

    it("previews and destroys", async () => {
        const preview = await runCli(["prod", "--preview"]);
        expect(preview.code).to.equal(0);
        expect(preview.runner.log).to.deep.equal(["start prod", "end prod"]);
        expect(preview.printed).to.contain('Preview of environment prod: {"create":1}');
        const destroy = await runCli(["dev", "--destroy"]);
        expect(destroy.code).to.equal(0);
        expect(destroy.runner.settings).to.deep.equal([]);
        expect(destroy.printed).to.contain('Destroyed environment dev: {"delete":1}');
    });

    it("exits 2 with the config error, running nothing, when the stack file's lake is invalid", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stamp-"));
        fs.writeFileSync(path.join(root, "Pulumi.qa.yaml"), "config:\n  medallion-lake:lake:\n    name: tickit\n    sources: []\n");
        const { code, runner, errors } = await runCli(["qa"], root);
        expect(code).to.equal(2);
        expect(errors).to.match(/^LakeConfigError: Invalid medallion-lake:lake config/);
        expect(runner.log).to.deep.equal([]);
    });

    it("exits 2 on bad usage", async () => {
        const { code, errors } = await runCli(["--destroy"]);
        expect(code).to.equal(2);
        expect(errors).to.contain("missing <env>");
    });
});
