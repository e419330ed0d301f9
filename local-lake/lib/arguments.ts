/**
 * The arguments the local runner gives each Glue entry script: the component's own contract
 * arguments (`jobArguments`, exactly what it passes on AWS) with `file://` lake folders instead of
 * buckets, plus the local-only ones (`--batch_id`, and `--local_connections` for bronze), and for
 * gold `--models` when the run names models (`npm run lake -- --models a,b`).
 */
import * as path from "path";
import { jobArguments } from "medallion-lake";
import { fileUri, LakeLayout, Layer, PROJECT_ROOT } from "./layout";

export function localJobArguments(layer: Layer, layout: LakeLayout, environment: string, batchId: string, models?: string[]): Record<string, string> {
    const contract = jobArguments(layer, {
        lakeSpec: fileUri(layout.specFile),
        environment,
        bronzePath: fileUri(layout.layers.bronze),
        silverPath: fileUri(layout.layers.silver),
        goldPath: fileUri(layout.layers.gold),
    });
    return {
        ...contract,
        "--batch_id": batchId,
        ...(layer === "bronze" ? { "--local_connections": layout.connectionsFile } : {}),
        ...(layer === "gold" && models ? { "--models": models.join(",") } : {}),
    };
}

/** argv of `python glue-scripts/local_submit.py <layer> --name value ...`. */
export function submitArgv(layer: Layer, args: Record<string, string>): string[] {
    return [path.join(PROJECT_ROOT, "glue-scripts", "local_submit.py"), layer, ...Object.entries(args).flat()];
}

/** A run's batch id: sortable UTC time, valid as a Hive partition value and a file name. */
export function newBatchId(now: Date = new Date()): string {
    return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
