/**
 * How far silver is from its sources (benchmarks/drift_rows.py): per `<source>/<table>`, the keys
 * only the source has, the keys only silver has, and the rows of a common key whose values differ,
 * computed from the source databases (silver's documented rules applied in SQL by localdb) and the
 * silver Iceberg tables of the running local Glue catalog, independently of the jobs. The target is
 * 0 everywhere; the benchmark prints it and the end-to-end test holds the lake to it.
 */
import * as path from "path";
import { LakeLayout, PROJECT_ROOT } from "./layout";
import { runPython } from "./python";

/** Per `<source>/<table>`: keys only the source has, keys only silver has, rows of a common key whose values differ. */
export type DriftRows = Record<string, { onlySource: number; onlySilver: number; differ: number }>;

/** Silver against the source tables, through the running local Glue catalog (`catalogEnv`: startCatalog's env) and the source servers. */
export async function driftRows(catalogEnv: Record<string, string>, silverDatabase: string, layout: LakeLayout): Promise<DriftRows> {
    const args = ["--data-dir", layout.sourcesDir, "--lake-spec", layout.specFile, "--silver-db", silverDatabase];
    const { stdout } = await runPython([path.join(PROJECT_ROOT, "benchmarks", "drift_rows.py"), ...args], {
        label: "benchmarks/drift_rows.py",
        env: catalogEnv,
    });
    const line = stdout.split("\n").find((l) => l.startsWith("DRIFT_ROWS "));
    if (!line) throw new Error("benchmarks/drift_rows.py printed no DRIFT_ROWS line");
    return JSON.parse(line.slice("DRIFT_ROWS ".length)) as DriftRows;
}
