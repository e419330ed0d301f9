import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../stacks/stack-config";

/** Each `python -m localdb <command>` the docs give, with the PYTHONPATH it runs under (inline, or the file's last `export` above it). */
export function localdbCommands(text: string): { pythonPath: string; command: string }[] {
    const found: { pythonPath: string; command: string }[] = [];
    let exported = "";
    for (const line of text.split("\n")) {
        const exportMatch = /export PYTHONPATH=(\S+)/.exec(line);
        if (exportMatch) exported = exportMatch[1];
        for (const m of line.matchAll(/(?:PYTHONPATH=(\S+)\s+)?\S*python3?\s+-m\s+localdb\s+([a-z][a-z-]*)/g)) found.push({ pythonPath: m[1] ?? exported, command: m[2] });
    }
    return found;
}

describe("docs: the documented localdb commands", () => {
    it("reads the PYTHONPATH of a command inline or from an export above it", () => {
        const text = "export PYTHONPATH=a\n.venv/bin/python -m localdb start --x\n`PYTHONPATH=b:c .venv/bin/python -m localdb trino-stop`";
        expect(localdbCommands(text)).to.deep.equal([
            { pythonPath: "a", command: "start" },
            { pythonPath: "b:c", command: "trino-stop" },
        ]);
    });

    const files = ["README.md", ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f))];
    const commands = files.flatMap((file) => localdbCommands(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")).map((c) => ({ ...c, file })));

    it("are there to check", () => expect(commands.length).to.be.greaterThan(3));

    for (const pythonPath of [...new Set(commands.map((c) => c.pythonPath))]) {
        const here = commands.filter((c) => c.pythonPath === pythonPath);
        it(`start with PYTHONPATH=${pythonPath || "(unset)"} and know ${[...new Set(here.map((c) => c.command))].join(", ")} (${[...new Set(here.map((c) => c.file))].join(", ")})`, function () {
            this.timeout(60_000); // a Python start, slow on a loaded machine
            // --help imports every module of localdb (and medallion through it), as every command does.
            const run = spawnSync(path.join(PROJECT_ROOT, ".venv", "bin", "python"), ["-m", "localdb", "--help"], {
                cwd: PROJECT_ROOT,
                env: { ...process.env, PYTHONPATH: pythonPath },
                encoding: "utf8",
            });
            expect(run.status, run.stderr).to.equal(0);
            for (const c of here) expect(run.stdout, `${c.file}: localdb ${c.command}`).to.match(new RegExp(`\\b${c.command}\\b`));
        });
    }
});
