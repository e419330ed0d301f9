/**
 * The component package as Python, Go and YAML programs reach it: Pulumi's component provider
 * (`@pulumi/pulumi/provider/experimental`), run in process as `pulumi package add` runs it (the
 * provider named after package.json the way the Node.js plugin host names it). Its inferred schema
 * has the components with described inputs and outputs, every config field and no other; the YAML
 * example program (examples/yaml/Pulumi.yaml) fits that schema; and `construct` with the example's
 * plain JSON inputs registers the lake and the grant, under the SDK's mocks.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { expect } from "chai";
import * as YAML from "yaml";
import * as lakePackage from "../../packages/medallion-lake/src";
import { MockResource, MockRunResult, runUnderMocks } from "../../local-lake/lib/mock-run";
import { WORKER_TYPES } from "../../packages/medallion-lake/src/model/config";
import { ROW_CHECKS, RULE_SEVERITIES, TABLE_CHECKS } from "../../packages/medallion-lake/src/model/quality-rules";
import { SUBSCRIPTION_PROTOCOLS } from "../../packages/medallion-lake/src/model/alerts-config";
import { CLASSIFICATIONS } from "../../packages/medallion-lake/src/model/classification";
import { RECONCILE_COMPARES } from "../../packages/medallion-lake/src/model/reconcile";

const ROOT = path.join(__dirname, "..", "..");
const PACKAGE_DIR = path.join(ROOT, "packages", "medallion-lake");
const EXAMPLE = path.join(ROOT, "examples", "yaml", "Pulumi.yaml");

/** The provider name the Node.js plugin host derives from package.json (pulumi cmd/run-plugin): the name without its scope. */
function pluginName(): string {
    const name: string = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")).name;
    return name.replace(/^@[^/]+\//, "").replace(/[^-a-zA-Z0-9_]/g, "-");
}

/** The dev stack's URNs recorded before the package existed (the no-state-churn fixture). */
const fixtureUrns = (): string[] => JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "stack-urns.json"), "utf8")).dev;

/** The component type of those URNs. */
function fixtureComponentType(): string {
    const types = new Set(fixtureUrns().map((u) => u.split("::")[2].split("$").pop()!).filter((t) => t.endsWith(":MedallionLake")));
    expect([...types]).to.have.length(1);
    return [...types][0];
}

interface SchemaProperty {
    type?: string;
    $ref?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
    description?: string;
}
interface SchemaType {
    type: string;
    properties?: Record<string, SchemaProperty>;
    required?: string[];
    enum?: { name: string; value: string }[];
}
interface Schema {
    name: string;
    resources: Record<string, { isComponent: boolean; inputProperties: Record<string, SchemaProperty>; requiredInputs: string[]; properties: Record<string, SchemaProperty>; description?: string }>;
    types: Record<string, SchemaType>;
}

const typeOf = (schema: Schema, ref: string): SchemaType => {
    const t = schema.types[ref.replace(/^#\/types\//, "")];
    if (!t) throw new Error(`schema has no type ${ref}`);
    return t;
};

/** Dotted paths of every object property below `props` (`sources[].tables[].columns{}.type`), following the schema's type references. */
function argPaths(schema: Schema, props: Record<string, SchemaProperty>, prefix = ""): string[] {
    const below = (p: SchemaProperty, at: string): string[] => {
        if (p.$ref?.startsWith("#/types/")) {
            const t = typeOf(schema, p.$ref);
            return t.properties ? argPaths(schema, t.properties, `${at}.`) : [];
        }
        if (p.items) return below(p.items, `${at}[]`);
        if (p.additionalProperties) return below(p.additionalProperties, `${at}{}`);
        return [];
    };
    return Object.entries(props).flatMap(([name, p]) => [`${prefix}${name}`, ...below(p, `${prefix}${name}`)]);
}

/** The same paths of the config's JSON Schema (schema/lake-config.schema.json): every branch of a union, the object branch of a shorthand. */
function configPaths(node: any, prefix = ""): string[] {
    if (!node || typeof node !== "object") return [];
    const out: string[] = [];
    for (const [name, p] of Object.entries<any>(node.properties ?? {})) out.push(`${prefix}${name}`, ...configPaths(p, `${prefix}${name}.`));
    const strip = prefix.replace(/\.$/, "");
    if (node.items) out.push(...configPaths(node.items, `${strip}[].`));
    if (node.additionalProperties && typeof node.additionalProperties === "object") out.push(...configPaths(node.additionalProperties, `${strip}{}.`));
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) out.push(...configPaths(branch, prefix));
    return [...new Set(out)];
}

/** Problems of `value` against a schema property: unknown or missing properties, wrong types, values outside an enum. `${...}` is a YAML interpolation, typed at run time. */
function fit(schema: Schema, value: unknown, p: SchemaProperty, at: string): string[] {
    if (typeof value === "string" && /^\$\{[^}]+\}$/.test(value)) return [];
    if (p.$ref === "pulumi.json#/Any") return [];
    if (p.$ref) {
        const t = typeOf(schema, p.$ref);
        if (t.enum) return t.enum.some((e) => e.value === value) ? [] : [`${at}: ${JSON.stringify(value)} is not one of ${t.enum.map((e) => e.value).join(", ")}`];
        return fitObject(schema, value, t.properties ?? {}, t.required ?? [], at);
    }
    switch (p.type) {
        case "string":
            return typeof value === "string" ? [] : [`${at}: expected a string, got ${JSON.stringify(value)}`];
        case "number":
            return typeof value === "number" ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
        case "integer":
            return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${JSON.stringify(value)}`];
        case "boolean":
            return typeof value === "boolean" ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
        case "array":
            return Array.isArray(value) ? value.flatMap((v, i) => fit(schema, v, p.items!, `${at}[${i}]`)) : [`${at}: expected a list`];
        case "object":
            if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${at}: expected a map`];
            return Object.entries(value).flatMap(([k, v]) => fit(schema, v, p.additionalProperties!, `${at}.${k}`));
        default:
            return [`${at}: schema property without a type`];
    }
}

function fitObject(schema: Schema, value: unknown, props: Record<string, SchemaProperty>, required: string[], at: string): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${at}: expected an object`];
    const v = value as Record<string, unknown>;
    return [
        ...Object.keys(v)
            .filter((k) => !(k in props))
            .map((k) => `${at}.${k}: not a property of the schema`),
        ...required.filter((k) => !(k in v)).map((k) => `${at}.${k}: required`),
        ...Object.entries(v)
            .filter(([k]) => k in props)
            .flatMap(([k, x]) => fit(schema, x, props[k], `${at}.${k}`)),
    ];
}

/** Replaces each `${name}` of `value` by `values[name]`; fails on an interpolation it has no value for. */
function interpolate(value: unknown, values: Record<string, unknown>): unknown {
    if (typeof value === "string") {
        const m = /^\$\{([^}]+)\}$/.exec(value);
        if (!m) return value;
        if (!(m[1] in values)) throw new Error(`the example interpolates \${${m[1]}}, which the test has no value for`);
        return values[m[1]];
    }
    if (Array.isArray(value)) return value.map((v) => interpolate(v, values));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, values)]));
    return value;
}

describe("the multi-language component package (pulumi package add)", function () {
    this.timeout(300_000);
    let provider: ComponentProvider;
    let schema: Schema;
    const example = YAML.parse(fs.readFileSync(EXAMPLE, "utf8"));

    before(async () => {
        provider = new ComponentProvider({ name: pluginName(), dirname: PACKAGE_DIR, components: getPulumiComponents(lakePackage) });
        schema = JSON.parse(await provider.getSchema());
    });

    describe("the inferred schema", () => {
        it("has the lake and the two grants, and the lake keeps the type token of the deployed stacks' URNs", () => {
            expect(Object.keys(schema.resources).sort()).to.deep.equal(
                ["LakeQueryGrant", "LakeReadGrant", "MedallionLake"].map((c) => `${pluginName()}:index:${c}`),
            );
            expect(Object.values(schema.resources).every((r) => r.isComponent)).to.equal(true);
            const token = fixtureComponentType();
            expect(schema.resources).to.have.property(token);
            expect(lakePackage.MEDALLION_LAKE_TYPE).to.equal(token);
        });

        it("describes every input and every property of its types, each with its default or Required", () => {
            const undocumented: string[] = [];
            const check = (where: string, props: Record<string, SchemaProperty>) => {
                for (const [name, p] of Object.entries(props)) {
                    if (!p.description || !/Default|Required/.test(p.description)) undocumented.push(`${where}.${name}`);
                }
            };
            for (const [token, r] of Object.entries(schema.resources)) check(token, r.inputProperties);
            for (const [token, t] of Object.entries(schema.types)) if (t.properties && !token.endsWith("Outputs")) check(token, t.properties);
            expect(undocumented).to.deep.equal([]);
        });

        it("takes every field of the config, under the same path, and no other (gold.models also as gold.modelsFolder)", () => {
            const lake = schema.resources[`${pluginName()}:index:MedallionLake`];
            const args = argPaths(schema, (typeOf(schema, lake.inputProperties.config.$ref!).properties ?? {})).sort();
            const config = JSON.parse(fs.readFileSync(path.join(ROOT, "schema", "lake-config.schema.json"), "utf8"));
            const expected = [...configPaths(config), "gold.modelsFolder"].sort();
            expect(args).to.deep.equal(expected);
        });

        it("has enums of exactly the config's values", () => {
            const values = (name: string) => typeOf(schema, `#/types/${pluginName()}:index:${name}`).enum!.map((e) => e.value);
            expect(values("SourceEngine")).to.deep.equal([...lakePackage.ENGINES]);
            expect(values("WorkerType")).to.deep.equal([...WORKER_TYPES]);
            expect(values("RuleCheck")).to.deep.equal([...ROW_CHECKS, ...TABLE_CHECKS]);
            expect(values("RuleSeverity")).to.deep.equal([...RULE_SEVERITIES]);
            expect(values("SubscriptionProtocol")).to.deep.equal([...SUBSCRIPTION_PROTOCOLS]);
            expect(values("LakeLayer")).to.deep.equal([...lakePackage.LAYERS]);
            expect(values("ReconcileCompare")).to.deep.equal([...RECONCILE_COMPARES]);
            expect(values("ColumnClassification")).to.deep.equal([...CLASSIFICATIONS]);
        });

        it("has the lake's names and ARNs as typed outputs", () => {
            const outputs = schema.resources[`${pluginName()}:index:MedallionLake`].properties;
            expect(outputs.bucketNames).to.deep.include({ type: "object", additionalProperties: { type: "string" } });
            expect(outputs.workgroupName).to.deep.include({ type: "string" });
            expect(outputs.jobNames.$ref).to.equal(`#/types/${pluginName()}:index:LayerOutputs`);
            expect(Object.keys(typeOf(schema, outputs.databaseNames.$ref!).properties!).sort()).to.deep.equal(["bronze", "gold", "silver", "source"]);
            // Only outputs: the parsed config, the spec and the resources stay TypeScript-only getters.
            expect(outputs).to.not.have.any.keys("config", "spec", "buckets", "jobs", "roles", "workgroup");
        });

        it("fits the YAML example: every property it sets exists with its type, every required one is set", () => {
            const problems: string[] = [];
            const used = new Set<string>();
            for (const [name, r] of Object.entries<any>(example.resources)) {
                const resource = schema.resources[r.type];
                if (!r.type.startsWith(`${pluginName()}:`)) continue;
                expect(resource, `${name}: ${r.type} is not in the schema`).to.not.equal(undefined);
                used.add(r.type);
                problems.push(...fitObject(schema, r.properties, resource.inputProperties, resource.requiredInputs, name));
            }
            expect(problems).to.deep.equal([]);
            expect([...used].sort()).to.deep.equal([`${pluginName()}:index:LakeQueryGrant`, `${pluginName()}:index:MedallionLake`]);
            // The outputs it reads are outputs of the lake.
            const lakeOutputs = schema.resources[`${pluginName()}:index:MedallionLake`].properties;
            const read = JSON.stringify(example).match(/\$\{lake\.(\w+)/g)!.map((m) => m.slice("${lake.".length));
            expect(read.filter((o) => !(o in lakeOutputs))).to.deep.equal([]);
        });

        it("would catch a misspelt or mistyped property of the example", () => {
            const lake = schema.resources[`${pluginName()}:index:MedallionLake`];
            const wrong = structuredClone(example.resources.lake.properties);
            wrong.config.sources[0].tables[0].primarykey = ["id"];
            wrong.config.jobs.numberOfWorkers = "4";
            wrong.config.sources[0].engine = "oracle";
            expect(fitObject(schema, wrong, lake.inputProperties, lake.requiredInputs, "lake")).to.deep.equal([
                "lake.config.sources[0].engine: \"oracle\" is not one of postgres, mysql, sqlserver",
                "lake.config.sources[0].tables[0].primarykey: not a property of the schema",
                "lake.config.jobs.numberOfWorkers: expected a number, got \"4\"",
            ]);
        });
    });

    describe("construct with the YAML example's inputs, as the engine sends them", () => {
        const PASSWORD = "orders-Pa55word-not-in-state";
        let run: MockRunResult;
        let lakeState: Record<string, any>;
        let lakeUrn: string;
        const ofType = (type: string) => run.resources.filter((r) => r.type === type);
        const one = (type: string): MockResource => {
            const found = ofType(type);
            expect(found, type).to.have.length(1);
            return found[0];
        };

        before(async () => {
            const grantType = `${pluginName()}:index:LakeQueryGrant`;
            run = await runUnderMocks({
                stack: "dev",
                config: { "aws:region": "eu-west-1" },
                program: async () => {
                    const inputs = interpolate(example.resources.lake.properties, { "pulumi.stack": "dev", ordersDbPassword: pulumi.secret(PASSWORD) }) as pulumi.Inputs;
                    const lake = await provider.construct("lake", example.resources.lake.type, inputs, {});
                    // The grant gets the lake's outputs as the engine passes them on: output values.
                    const state = lake.state as Record<string, unknown>;
                    const lakeOutputs = Object.fromEntries(Object.entries(state).map(([k, v]) => [`lake.${k}`, v]));
                    const grant = example.resources.analystsQuery;
                    expect(grant.type).to.equal(grantType);
                    const grantInputs = interpolate(grant.properties, { ...lakeOutputs, "analysts.name": "analysts" }) as pulumi.Inputs;
                    await provider.construct("analystsQuery", grant.type, grantInputs, {});
                    return { lakeUrn: lake.urn, lake: state };
                },
            });
            lakeState = run.outputs.lake;
            lakeUrn = run.outputs.lakeUrn;
        });

        it("registers the lake under its type token, with its Glue, S3 and Athena resources", () => {
            // The very URNs of the dev stack's lake and buckets: a stack moved to the package keeps its state.
            expect(fixtureUrns()).to.include(lakeUrn);
            const lake = one(lakePackage.MEDALLION_LAKE_TYPE);
            const children = run.resources.filter((r) => r.parent === lake.urn);
            const buckets = children.filter((r) => r.type === "aws:s3/bucket:Bucket");
            expect(buckets.map((r) => r.name).sort()).to.deep.equal(["assets", "bronze", "gold", "logs", "query-results", "silver"].map((p) => `lake-${p}`));
            expect(buckets.filter((b) => !fixtureUrns().includes(b.urn)).map((b) => b.urn)).to.deep.equal([]);
            expect(children.every((r) => r.name.startsWith("lake-"))).to.equal(true);
            const jobs = ofType("aws:glue/job:Job");
            expect(jobs.map((j) => [j.inputs.workerType, j.inputs.numberOfWorkers])).to.deep.equal([
                ["G.2X", 4],
                ["G.2X", 4],
                ["G.2X", 4],
                ["G.2X", 4], // the forget job
            ]);
            expect(one("aws:athena/workgroup:Workgroup").inputs.name).to.equal("shop-dev");
        });

        it("connects to the YAML's source with its password only in a secret", () => {
            expect(one("aws:glue/connection:Connection").inputs.connectionProperties.JDBC_CONNECTION_URL).to.equal("jdbc:postgresql://orders-db.internal:5432/orders");
            const version = one("aws:secretsmanager/secretVersion:SecretVersion");
            expect(JSON.parse(version.inputs.secretString)).to.deep.include({ username: "etl", password: PASSWORD });
            expect(version.secretPaths).to.include("secretString");
            expect(JSON.stringify(lakeState)).to.not.include(PASSWORD);
        });

        it("hands the YAML's tables, rules, reconcile, schedule and alerts to the jobs and triggers", () => {
            const spec = JSON.parse(ofType("aws:s3/bucketObjectv2:BucketObjectv2").find((o) => /lake-spec-[0-9a-f]+\.json$/.test(o.inputs.key))!.inputs.content);
            const [customers, orders] = spec.sources[0].tables;
            expect(orders).to.deep.include({ name: "orders", watermarkColumn: "id", reconcile: { compare: "keys", everyRuns: 6 } });
            expect(orders.columns.map((c: { name: string; type: string }) => `${c.name} ${c.type}`)).to.deep.equal(["id bigint", "customer_id bigint", "amount decimal(12,2)", "ordered_at timestamp"]);
            expect(customers.columns.find((c: { name: string }) => c.name === "created_at").format).to.equal("yyyy-MM-dd HH:mm:ss");
            expect(customers.columns.find((c: { name: string }) => c.name === "email").classification).to.equal("pii");
            expect(customers.rules.map((r: { check: string; severity: string }) => `${r.check} ${r.severity}`)).to.deep.equal(["notNull error", "pattern warn"]);
            expect(ofType("aws:glue/trigger:Trigger").map((t) => t.inputs.schedule).filter(Boolean)).to.deep.equal(["cron(0 2 * * ? *)"]);
            expect(one("aws:sns/topicSubscription:TopicSubscription").inputs).to.deep.include({ protocol: "email", endpoint: "data-team@example.com" });
        });

        it("returns the outputs the schema names, resolved", () => {
            const names = Object.keys(schema.resources[`${pluginName()}:index:MedallionLake`].properties);
            expect(Object.keys(lakeState).sort()).to.deep.equal(names.sort());
            expect(lakeState.databaseNames).to.deep.equal({ source: "shop_dev_source", bronze: "shop_dev_bronze", silver: "shop_dev_silver", gold: "shop_dev_gold" });
            expect(lakeState.jobNames).to.deep.equal({ bronze: "shop-dev-bronze", silver: "shop-dev-silver", gold: "shop-dev-gold" });
            expect(lakeState.bucketNames.gold).to.match(/^shop-dev-gold-[a-z0-9]{8}$/);
        });

        it("grants the YAML's role querying silver and gold of that lake, from the lake's outputs", () => {
            const grant = one(`${pluginName()}:index:LakeQueryGrant`);
            const policies = ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.parent === grant.urn);
            expect(policies).to.have.length(1);
            const policy = policies[0];
            expect(policy.name).to.equal("analystsQuery-policy");
            expect(policy.inputs.role).to.equal("analysts");
            const doc = JSON.parse(policy.inputs.policy);
            const statement = (sid: string) => doc.Statement.find((s: { Sid: string }) => s.Sid === sid);
            expect(statement("AthenaWorkgroup").Resource).to.equal(lakeState.workgroupArn);
            expect(statement("TablesObjects").Resource).to.deep.equal([`${lakeState.bucketArns.silver}/*`, `${lakeState.bucketArns.gold}/*`]);
            expect(statement("LakeKey").Resource).to.equal(lakeState.kmsKeyArn);
        });
    });
});
