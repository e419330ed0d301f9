/**
 * Glue assets: the entry scripts, the zipped `medallion` package and the lake spec, uploaded to
 * the assets bucket under content-hashed keys so that any edit yields a new key and redeploys.
 */
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { contentHash } from "../model/content-hash";
import { assetPath } from "../model/package-assets";
import { GoldModelConfig } from "../model/gold-models";
import { goldModelFile, LakeSpec } from "../model/lake-spec";
import { LAYERS, Layer } from "../model/naming";
import { ASSET_PREFIXES } from "./storage";

/** Default location of the Glue scripts: the copy the package ships, `assets/glue-scripts/` of the package. */
export function defaultScriptsDir(): string {
    return assetPath("glue-scripts");
}

/** Name of the Python package directory shipped to Glue as `--extra-py-files`. */
export const PACKAGE_NAME = "medallion";

/** `scripts/bronze_job-<hash>.py` for a file: the key changes exactly when the content does. */
export function fileKey(prefix: string, file: string): string {
    const ext = path.extname(file);
    return `${prefix}${path.basename(file, ext)}-${contentHash(fs.readFileSync(file))}${ext}`;
}

/** Files of a package directory (relative, `/`-separated, sorted), without bytecode caches. */
export function packageFiles(dir: string): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
            const child = rel ? `${rel}/${entry.name}` : entry.name;
            if (entry.isDirectory()) {
                if (entry.name !== "__pycache__") walk(child);
            } else if (!entry.name.endsWith(".pyc")) {
                out.push(child);
            }
        }
    };
    walk("");
    return out.sort();
}

/** Key of a directory's zip: hashes every file's path and content, so adds, renames and edits all count. */
export function directoryKey(prefix: string, dir: string): string {
    const parts = packageFiles(dir).flatMap((f) => [f, "\0", fs.readFileSync(path.join(dir, f)), "\0"]);
    return `${prefix}${path.basename(dir)}-${contentHash(parts)}.zip`;
}

/** What will be uploaded, decided (and checked) before any resource is registered. */
export interface AssetPlan {
    scripts: Record<Layer, { file: string; key: string }>;
    package: { dir: string; files: string[]; key: string };
    lakeSpec: { content: string; key: string };
    /** Each gold model's SQL, under the key the lake spec names (beside the spec). */
    goldModels: { name: string; content: string; key: string }[];
    /** `name==version` of the Python packages the Glue jobs install (`# glue` lines of requirements.txt). */
    pythonModules: string[];
}

/** The `# glue`-marked pins of a requirements file: `sqlglot==30.31.0  # glue` gives `sqlglot==30.31.0`. */
export function gluePythonModules(requirements: string): string[] {
    return requirements.split("\n").flatMap((line) => {
        const m = /^\s*([A-Za-z0-9._-]+==[A-Za-z0-9._-]+)\s+#\s*glue\b/.exec(line);
        return m ? [m[1]] : [];
    });
}

/** @throws Error naming the missing file when an entry script, the package or requirements.txt is absent. */
export function planAssets(scriptsDir: string, spec: LakeSpec, goldModels: GoldModelConfig[] = []): AssetPlan {
    const need = (p: string, what: string) => {
        if (!fs.existsSync(p)) throw new Error(`MedallionLake: ${what} not found at ${p} (scriptsDir: ${scriptsDir})`);
        return p;
    };
    const scripts = Object.fromEntries(
        LAYERS.map((layer) => {
            const file = need(path.join(scriptsDir, `${layer}_job.py`), `the ${layer} entry script`);
            return [layer, { file, key: fileKey(ASSET_PREFIXES.scripts, file) }];
        }),
    ) as AssetPlan["scripts"];
    const dir = need(path.join(scriptsDir, PACKAGE_NAME), `the ${PACKAGE_NAME} package`);
    const content = JSON.stringify(spec, null, 2);
    const requirements = need(path.join(scriptsDir, "requirements.txt"), "requirements.txt");
    return {
        scripts,
        package: { dir, files: packageFiles(dir), key: directoryKey(ASSET_PREFIXES.scripts, dir) },
        lakeSpec: { content, key: `${ASSET_PREFIXES.scripts}lake-spec-${contentHash(content)}.json` },
        // The lake spec is under ASSET_PREFIXES.scripts, and names each model's file relative to itself.
        goldModels: goldModels.map((m) => ({ name: m.name, content: m.sql, key: `${ASSET_PREFIXES.scripts}${goldModelFile(m)}` })),
        pythonModules: gluePythonModules(fs.readFileSync(requirements, "utf8")),
    };
}

export interface Assets {
    /** `s3://` URIs of the uploaded objects. */
    scripts: Record<Layer, pulumi.Output<string>>;
    package: pulumi.Output<string>;
    lakeSpec: pulumi.Output<string>;
    /** Python packages the jobs install (`name==version`). */
    pythonModules: string[];
}

export function uploadAssets(ctx: LakeContext, plan: AssetPlan, bucket: aws.s3.Bucket, ready: pulumi.Resource[]): Assets {
    const opts = ctx.opts("infra", { parent: bucket, dependsOn: ready });
    const upload = (suffix: string, key: string, args: Partial<aws.s3.BucketObjectv2Args>) => {
        const object = new aws.s3.BucketObjectv2(`${ctx.name}-${suffix}`, { bucket: bucket.id, key, tags: ctx.tags, ...args }, opts);
        return pulumi.interpolate`s3://${object.bucket}/${object.key}`;
    };
    const scripts = Object.fromEntries(
        LAYERS.map((layer) => [layer, upload(`${layer}-script`, plan.scripts[layer].key, { source: new pulumi.asset.FileAsset(plan.scripts[layer].file), contentType: "text/x-python" })]),
    ) as Assets["scripts"];
    // Zip root holds `medallion/` so that Glue can `import medallion` from --extra-py-files.
    const archive = new pulumi.asset.AssetArchive(
        Object.fromEntries(plan.package.files.map((f) => [`${PACKAGE_NAME}/${f}`, new pulumi.asset.FileAsset(path.join(plan.package.dir, f))])),
    );
    for (const model of plan.goldModels) {
        upload(`gold-model-${model.name}`, model.key, { content: model.content, contentType: "application/sql" });
    }
    return {
        scripts,
        package: upload("package", plan.package.key, { source: archive, contentType: "application/zip" }),
        lakeSpec: upload("lake-spec", plan.lakeSpec.key, { content: plan.lakeSpec.content, contentType: "application/json" }),
        pythonModules: plan.pythonModules,
    };
}
