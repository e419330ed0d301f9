/**
 * `npm run plan -- <stack> [--out out]`: the AWS resources `pulumi up` would create for the stack,
 * from the real program under the Pulumi SDK's mocks (no AWS account, no Pulumi CLI), as a tree with
 * counts per type, plus a Mermaid diagram in out/plan-<stack>.mmd. See docs/local-lake.md.
 */
import * as fs from "fs";
import * as path from "path";
import { parseFlags, runMain } from "./lib/cli";
import { PROJECT_ROOT } from "./lib/layout";
import { formatTypeCounts, planDiagram, planStack, resourceTree } from "./lib/plan";

runMain(async () => {
    const { flags, positionals } = parseFlags(process.argv.slice(2), { out: "string", stack: "string" }, "npm run plan");
    const stack = positionals[0] ?? (flags.stack as string | undefined);
    if (!stack || positionals.length > 1) throw new Error("usage: npm run plan -- <stack> (local, dev, prod: a Pulumi.<stack>.yaml) [--out DIR]");
    const plan = await planStack(stack);
    const outDir = path.resolve(PROJECT_ROOT, (flags.out as string | undefined) ?? "out");
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `plan-${stack}.mmd`);
    fs.writeFileSync(file, planDiagram(plan));
    process.stdout.write(
        [
            `Plan for stack "${stack}" (Pulumi program under mocks; nothing is created):`,
            "",
            resourceTree(plan.resources),
            "",
            formatTypeCounts(plan.resources),
            "",
            `diagram: ${path.relative(process.cwd(), file)} (Mermaid; GitHub and most Markdown viewers render it in a \`\`\`mermaid block)`,
            "",
        ].join("\n"),
    );
});
