import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LakeConfigError, parseLakeConfig, rebaseLakePaths } from "../../packages/medallion-lake/src";
import { environmentSettings, REPOSITORY_ROOT } from "../../stacks/automation";
import { PROJECT_ROOT } from "../../stacks/stack-config";
import { loadLakeStack } from "../../local-lake/lib/config";
import { stackLake } from "../support/helpers";

const STACKS = ["local", "dev", "prod"];
const CATALOG = "lakes/tickit/catalog.yaml";

/** The problems parseLakeConfig reports, as `<file>: <path>: <message>` lines. */
function problems(raw: unknown, baseDir: string | undefined): string[] {
    try {
        parseLakeConfig(raw, baseDir);
    } catch (e) {
        expect(e).to.be.instanceOf(LakeConfigError);
        return (e as LakeConfigError).issues.map((i) => `${i.file ?? "(lake)"}: ${i.path}: ${i.message}`);
    }
    throw new Error("expected parseLakeConfig to throw");
}

/** A folder outside the repository with these files (YAML for objects). */
function folder(files: Record<string, unknown>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lake-catalog-"));
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : YAML.stringify(content));
    }
    return dir;
}

const MYSQL_SOURCE = { name: "shop", engine: "mysql", host: "db.internal", database: "shop", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-AbCdEf" };
const ORDERS = { name: "orders", primaryKey: ["id"], columns: { id: "int", placed: "timestamp" } };
const MODEL_SQL = "SELECT count(*) AS orders FROM shop_orders";
const MODEL_YAML = { description: "Orders", columns: { orders: "How many" } };

describe("the table catalog (lakes/<lake>/catalog.yaml)", () => {
    it("is named by every committed stack file, which hold no tables and no gold of their own", () => {
        for (const env of STACKS) {
            const lake = stackLake(env);
            expect(lake.catalog, env).to.equal(CATALOG);
            expect(lake.gold, env).to.equal(undefined);
            expect(lake.sources.filter((s: any) => s.tables !== undefined).map((s: any) => s.name), env).to.deep.equal([]);
        }
    });

    it("gives local, dev and prod the same tables, columns, keys, reconcile, rules and gold models", () => {
        const catalogOf = (env: string) => {
            const config = parseLakeConfig(stackLake(env), PROJECT_ROOT);
            return { sources: config.sources.map((s) => ({ name: s.name, tables: s.tables })), gold: config.gold.models.map((m) => m.file) };
        };
        const [local, dev, prod] = STACKS.map(catalogOf);
        expect(dev).to.deep.equal(local);
        expect(prod).to.deep.equal(local);
        // What is tested locally is what is deployed: the sales rules, once only in Pulumi.local.yaml.
        const sales = dev.sources.find((s) => s.name === "ecomm")!.tables.find((t) => t.name === "sales")!;
        expect(sales.rules.map((r) => r.check)).to.deep.equal(["range", "reference", "range", "rowCount"]);
        const file = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, CATALOG), "utf8"));
        expect(dev.sources.map((s) => s.tables.length)).to.deep.equal(file.sources.map((s: any) => s.tables.length));
    });

    it("refuses an environment that redefines a table or the gold models, or whose sources differ from the catalog's", () => {
        const lake = stackLake("dev");
        lake.sources[1].tables = ["date"];
        lake.gold = { models: "gold-models/tickit" };
        lake.sources.push({ ...MYSQL_SOURCE });
        lake.sources.splice(2, 1); // crm: the catalog has its tables, this environment no connection
        expect(problems(lake, PROJECT_ROOT)).to.have.members([
            `(lake): gold: the gold models are in the catalog ${CATALOG}: a stack file naming a catalog cannot set gold (every environment builds the catalog's models)`,
            `(lake): sources[1].tables: the tables of source "ecomm" are in the catalog ${CATALOG}: an environment cannot redefine them (remove tables here; change the catalog for every environment)`,
            `(lake): sources[2].name: no source "shop" in the catalog ${CATALOG}, which holds every source's tables`,
            `${CATALOG}: sources[2].name: source "crm" has no connection in this environment's lake config: add it to sources (engine, host, database, credentials)`,
        ]);
    });

    it("names the catalog file and its own field for a problem in the catalog, also one found only once merged", () => {
        const dir = folder({
            "catalog.yaml": { sources: [{ name: "shop", tables: [{ ...ORDERS, columns: { id: "integer" } }] }] },
        });
        try {
            const lake = { name: "shop", catalog: "catalog.yaml", sources: [MYSQL_SOURCE] };
            expect(problems(lake, dir)).to.deep.equal([`catalog.yaml: sources[0].tables[0].columns.id: expected one of string, boolean, smallint, int, bigint, double, date, timestamp, decimal(p,s); got "integer"`]);
            // A mysql table named schema.table: known wrong only with the stack's engine; reported in the catalog,
            // at the catalog's index of the source (the stack lists it second).
            fs.writeFileSync(path.join(dir, "catalog.yaml"), YAML.stringify({ sources: [{ name: "shop", tables: ["shop.orders"] }, { name: "crm", tables: ["dbo.users"] }] }));
            const crm = { ...MYSQL_SOURCE, name: "crm", engine: "postgres" };
            expect(problems({ ...lake, sources: [crm, MYSQL_SOURCE] }, dir)).to.deep.equal([`catalog.yaml: sources[0].tables[0]: mysql tables must be named table (no schema), got "shop.orders"`]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a missing or unreadable catalog, and a relative path with no base folder", () => {
        const lake = { name: "shop", catalog: "nowhere.yaml", sources: [MYSQL_SOURCE] };
        expect(problems(lake, PROJECT_ROOT)).to.deep.equal([`(lake): catalog: no file ${path.join(PROJECT_ROOT, "nowhere.yaml")}`]);
        expect(problems({ ...lake, catalog: "README.md" }, PROJECT_ROOT)).to.deep.equal(['(lake): catalog: must name a .yaml, .yml or .json file, got "README.md"']);
        expect(problems(lake, undefined)[0]).to.match(/^\(lake\): catalog: "nowhere.yaml" is a relative path, but no base folder was given .*the working directory is never used$/);
        const gold = { name: "shop", sources: [{ ...MYSQL_SOURCE, tables: [ORDERS] }], gold: { models: "gold" } };
        expect(problems(gold, undefined)[0]).to.match(/^\(lake\): gold\.models: "gold" is a relative path, but no base folder/);
        expect(() => parseLakeConfig(gold, "relative/dir")).to.throw(/baseDir must be an absolute folder, got "relative\/dir"/);
        const bad = folder({ "catalog.yaml": "sources: [unclosed" });
        try {
            expect(problems({ ...lake, catalog: "catalog.yaml" }, bad)[0]).to.contain(`catalog: ${path.join(bad, "catalog.yaml")} is not valid YAML`);
        } finally {
            fs.rmSync(bad, { recursive: true, force: true });
        }
    });
});

describe("relative paths start at the stack file's folder (--stack-dir, the Automation API)", () => {
    // A stack kept outside the repository: the catalog beside it, the gold models beside the catalog.
    const files = {
        "Pulumi.qa.yaml": { config: { "aws:region": "us-east-1", "medallion-lake:lake": { name: "shop", catalog: "lake/catalog.yaml", sources: [MYSQL_SOURCE] } } },
        "lake/catalog.yaml": { sources: [{ name: "shop", tables: [ORDERS] }], gold: { models: "models" } },
        "lake/models/order_count.sql": MODEL_SQL,
        "lake/models/order_count.yaml": MODEL_YAML,
    };

    it("loads the stack of a folder outside the repository as npm run lake --stack-dir does, whatever the working directory", () => {
        const dir = folder(files);
        const cwd = process.cwd();
        try {
            process.chdir(os.tmpdir()); // neither the repository nor the stack folder
            const { config, spec } = loadLakeStack("qa", dir);
            expect(config.sources[0].tables.map((t) => t.name)).to.deep.equal(["orders"]);
            expect(config.gold.models.map((m) => m.file)).to.deep.equal([path.join(dir, "lake/models/order_count.sql")]);
            expect(spec.gold.models.map((m) => m.name)).to.deep.equal(["order_count"]);
        } finally {
            process.chdir(cwd);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a stack file's own relative gold.models start at its folder too", () => {
        const dir = folder({
            "Pulumi.qa.yaml": { config: { "medallion-lake:lake": { name: "shop", sources: [{ ...MYSQL_SOURCE, tables: [ORDERS] }], gold: { models: "models" } } } },
            "models/order_count.sql": MODEL_SQL,
            "models/order_count.yaml": MODEL_YAML,
        });
        try {
            expect(loadLakeStack("qa", dir).config.gold.models.map((m) => m.file)).to.deep.equal([path.join(dir, "models/order_count.sql")]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the Automation API validates in the service's folder and writes paths the program, in the repository, reads the same", () => {
        const dir = folder(files);
        try {
            const lake = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8")).config["medallion-lake:lake"];
            expect(() => environmentSettings({ env: "qa", lake })).to.throw(LakeConfigError, /catalog: "lake\/catalog.yaml" is a relative path/);
            const settings = environmentSettings({ env: "qa", lake, baseDir: dir }, REPOSITORY_ROOT);
            const written = settings.config["medallion-lake:lake"].objectValue as any;
            expect(path.resolve(REPOSITORY_ROOT, written.catalog)).to.equal(path.join(dir, "lake/catalog.yaml"));
            // What the program (base: the repository) then reads is what was validated (the path itself is spelled from there).
            const { catalog: _read, ...read } = parseLakeConfig(written, REPOSITORY_ROOT);
            const { catalog: _validated, ...validated } = settings.lake;
            expect(read).to.deep.equal(validated);
            expect(read.gold.models.map((m) => m.file)).to.deep.equal([path.join(dir, "lake/models/order_count.sql")]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("rebases only relative catalog and gold.models paths, and only across folders", () => {
        const lake = { name: "x", catalog: "c.yaml", gold: { models: ["m/a.sql", "/abs/b.sql"] }, sources: [] };
        expect(rebaseLakePaths(lake, "/svc/stacks", "/repo")).to.deep.equal({ ...lake, catalog: "../svc/stacks/c.yaml", gold: { models: ["../svc/stacks/m/a.sql", "/abs/b.sql"] } });
        expect(rebaseLakePaths(lake, "/repo", "/repo")).to.equal(lake);
    });
});
