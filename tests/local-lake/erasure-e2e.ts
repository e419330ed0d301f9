/**
 * Erasure end to end on the local lake (docs/erasure.md), on the lake the e2e built (its servers and
 * data folder; tests/local-lake/e2e.test.ts calls `describeErasure` last): a TICKIT user who is a top
 * buyer is erased with `npm run forget`'s library, then no layer (through Trino), no snapshot left
 * to time travel to, and no file under the lake's and the catalog's folders holds the user's distinctive
 * values (username, email, phone): every file's bytes, Avro files decoded (bronze batches, key
 * snapshots, Iceberg manifests) and Parquet files decoded by DuckDB. The lake then still runs.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { LakeSpec } from "../../packages/medallion-lake/src";
import { readAvroFile } from "../../local-lake/lib/avro";
import { forget } from "../../local-lake/lib/forget";
import { LakeLayout } from "../../local-lake/lib/layout";
import { waitForTrino } from "../../local-lake/lib/localdb";
import { LakeRunOptions } from "../../local-lake/lib/run-lake";
import { acquireLock, DataDirLocked } from "../../local-lake/lib/run-lock";
import { LakeRunSummary } from "../../local-lake/lib/summary";
import { TrinoQueryEngine } from "../../query-engines/trino";
import { rejection } from "../support/rejection";

export interface ErasureContext {
    layout: LakeLayout;
    spec: LakeSpec;
    run: (batchId: string, extra?: Partial<LakeRunOptions>) => Promise<LakeRunSummary>;
}

function filesBelow(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const text = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : Buffer.isBuffer(v) ? v.toString("latin1") : v));

/**
 * The files below `dirs` holding any of `values`: in their bytes, or once decoded (Avro records,
 * Parquet rows: compressed pages hide their text from a byte search).
 */
export async function filesHolding(dirs: string[], values: string[]): Promise<string[]> {
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    const found: string[] = [];
    try {
        for (const file of dirs.flatMap(filesBelow)) {
            const contents = [fs.readFileSync(file).toString("latin1")];
            if (file.endsWith(".avro")) contents.push(text(readAvroFile(file).records));
            if (file.endsWith(".parquet")) {
                const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
                contents.push(text(reader.getRowObjects()));
            }
            if (values.some((v) => contents.some((c) => c.includes(v)))) found.push(file);
        }
    } finally {
        connection.closeSync();
        db.closeSync();
    }
    return found;
}

export function describeErasure(context: () => ErasureContext): void {
    describe("erasure (npm run forget)", () => {
        let layout: LakeLayout;
        let spec: LakeSpec;
        let engine: TrinoQueryEngine;
        let userid: number;
        let values: string[];
        const silver = () => `"${spec.databases.silver}"."crm_users"`;
        const gold = () => `"${spec.databases.gold}"."top_buyers"`;

        before(async () => {
            ({ layout, spec } = context());
            const trino = await waitForTrino(layout);
            engine = new TrinoQueryEngine({ server: trino.url, catalog: trino.catalog, user: trino.jobUser }); // consumers see the pii masked
            // A top buyer with a username (so gold holds the name), whose username, email and phone no other user has.
            const picked = await engine.query(
                `SELECT u."userid", u."username", u."email", u."phone" FROM ${gold()} g JOIN ${silver()} u ON g."buyerid" = u."userid" ` +
                    `WHERE (SELECT count(*) FROM ${silver()} o WHERE o."username" = u."username" OR o."email" = u."email" OR o."phone" = u."phone") = 1 ` +
                    `ORDER BY g."year" DESC, g."rank" LIMIT 1`,
            );
            expect(picked.rows, "a top buyer with distinctive values").to.have.length(1);
            const row = picked.rows[0];
            userid = Number(row.userid);
            values = [row.username, row.email, row.phone].map(String);
        });

        it("finds the subject's values in bronze, silver and gold files before (the search can fail)", async () => {
            const holding = (await filesHolding([layout.lakeDir], values)).map((f) => path.relative(layout.lakeDir, f).split(path.sep)[0]);
            expect([...new Set(holding)].sort()).to.include.members(["bronze", "gold", "silver"]);
        });

        it("is refused while a lake run holds the data folder, before touching it", async () => {
            const lock = acquireLock(layout.dataDir, "npm run lake (test)");
            try {
                const error = await rejection(forget({ table: "crm.users", keys: [String(userid)], dataDir: layout.dataDir }));
                expect(error).to.be.instanceOf(DataDirLocked);
            } finally {
                lock.release();
            }
        });

        it("is refused for a key the lake never held, and for a key that is not the table's", async () => {
            const never = await rejection(forget({ table: "crm.users", keys: ["999999999"], dataDir: layout.dataDir }));
            expect(never.message).to.match(/crm\.users holds no row with that key[\s\S]*nothing was changed/);
            const wrong = await rejection(forget({ table: "crm.users", keys: [`username=${values[0]}`], dataDir: layout.dataDir }));
            expect(wrong.message).to.include("username is not in crm.users's primary key (userid)");
        });

        it("erases the subject from every layer and reports what it removed per layer", async () => {
            const report = await forget({ table: "crm.users", keys: [`userid=${userid}`], dataDir: layout.dataDir });
            expect(report.status).to.equal("erased");
            expect(report.key_sha256).to.match(/^[0-9a-f]{64}$/);
            expect(report.silver).to.deep.include({ rows_removed: 1 });
            expect((report.bronze as { rows_removed: number }).rows_removed).to.be.greaterThan(0);
            expect(Object.keys(report.gold as object)).to.include("top_buyers");
            expect(JSON.stringify(report)).to.not.include(values[0]);
            expect((await engine.query(`SELECT count(*) AS n FROM ${silver()} WHERE "userid" = ${userid}`)).rows[0].n).to.equal(0);
            const named = await engine.query(`SELECT count(*) AS n FROM ${gold()} WHERE "buyerid" = ${userid} AND "username" IS NOT NULL`);
            expect(named.rows[0].n, "gold keeps the purchases by id, without the buyer's names").to.equal(0);
        });

        it("leaves no snapshot that time travel reaches the values in", async () => {
            for (const [table, where] of [
                [silver(), `"userid" = ${userid}`],
                [gold(), `"username" = '${values[0]}'`],
            ]) {
                const history = await engine.query(`SELECT CAST("snapshot_id" AS varchar) AS id FROM ${table.replace(/"$/, '$snapshots"')}`);
                expect(history.rows.length, `${table} snapshots`).to.be.greaterThan(0);
                for (const { id } of history.rows) {
                    const then = await engine.query(`SELECT count(*) AS n FROM ${table} FOR VERSION AS OF ${String(id)} WHERE ${where}`);
                    expect(then.rows[0].n, `${table} at snapshot ${String(id)}`).to.equal(0);
                }
            }
        });

        it("leaves no file in the lake or the catalog holding the values (bytes, Avro, Parquet, metadata, quarantine, summaries)", async () => {
            expect(await filesHolding([layout.lakeDir, layout.catalogDir], values)).to.deep.equal([]);
        });

        it("a second erasure succeeds as already erased, changing nothing", async () => {
            const again = await forget({ table: "crm.users", keys: [String(userid)], dataDir: layout.dataDir });
            expect(again.status).to.equal("already erased");
            expect(again).to.not.have.property("silver");
        });

        it("the lake still runs: silver re-reads the rewritten bronze batch whole and gold is rebuilt without the subject", async () => {
            const after = await context().run("run-after-erasure", { from: "silver" });
            expect(after.ok).to.equal(true);
            expect((await engine.query(`SELECT count(*) AS n FROM ${silver()} WHERE "userid" = ${userid}`)).rows[0].n).to.equal(0);
            expect(await filesHolding([layout.lakeDir], values)).to.deep.equal([]);
        });
    });
}
