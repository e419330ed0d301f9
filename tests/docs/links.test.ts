import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../stacks/stack-config";

/** The project's own Markdown: README.md, docs/ and the READMEs beside the code. */
function markdownFiles(): string[] {
    const found: string[] = [];
    const skip = new Set(["node_modules", ".git", ".venv", ".tools", ".local-lake", "lib"]);
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (skip.has(entry.name)) continue;
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name.endsWith(".md")) found.push(full);
        }
    };
    walk(PROJECT_ROOT);
    return found;
}

/** Markdown outside fenced code blocks and inline code spans, where links are links. */
function prose(text: string): string {
    return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "``");
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to dashes, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    const withoutFences = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
    for (const [, heading] of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
        const plain = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
        const base = plain
            .toLowerCase()
            .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
            .replace(/ /g, "-");
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    return anchors;
}

describe("docs: internal links", () => {
    it("computes GitHub's anchors", () => {
        const anchors = headingAnchors("# Deploying to AWS\n## `tables`: one per table\n## Tests\n## Tests\n```\n# not a heading\n```\n");
        expect([...anchors]).to.deep.equal(["deploying-to-aws", "tables-one-per-table", "tests", "tests-1"]);
    });

    it("every relative link of README.md and docs/ reaches an existing file and heading", () => {
        const broken: string[] = [];
        for (const file of markdownFiles()) {
            const text = fs.readFileSync(file, "utf8");
            for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, mailto: ...
                const [linkPath, anchor] = target.split("#", 2);
                const resolved = linkPath ? path.resolve(path.dirname(file), decodeURIComponent(linkPath)) : file;
                const where = `${path.relative(PROJECT_ROOT, file)} -> ${target}`;
                if (!fs.existsSync(resolved)) {
                    broken.push(`${where} (no such file)`);
                } else if (anchor !== undefined && resolved.endsWith(".md")) {
                    if (!headingAnchors(fs.readFileSync(resolved, "utf8")).has(anchor)) broken.push(`${where} (no such heading)`);
                }
            }
        }
        expect(broken, broken.join("\n")).to.deep.equal([]);
    });
});
