/** The tests' oracle of the gold tables: tests/support/expected_gold.py, independent SQL on the sources. */
import * as path from "path";
import { LakeLayout, PROJECT_ROOT } from "../../local-lake/lib/layout";
import { LOCALDB_ENV, parseJsonOutput } from "../../local-lake/lib/localdb";
import { runPython } from "../../local-lake/lib/python";

/** Every gold model computed independently in SQL on the source databases: `{ model: rows[] }`. */
export async function expectedGold(layout: LakeLayout): Promise<Record<string, Record<string, unknown>[]>> {
    const script = path.join(PROJECT_ROOT, "tests", "support", "expected_gold.py");
    const result = await runPython([script, layout.sourcesDir, layout.specFile], { env: LOCALDB_ENV, label: "expected_gold.py" });
    return parseJsonOutput(result.stdout, "expected_gold.py") as Record<string, Record<string, unknown>[]>;
}
