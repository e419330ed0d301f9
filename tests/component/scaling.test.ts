import { expect } from "chai";
import { MockResource, runUnderMocks } from "../../local-lake/lib/mock-run";
import { createLake } from "../../stacks/program";
import { syntheticLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

async function countsFor(sources: number, tablesPerSource: number): Promise<Record<string, number>> {
    const run = await runUnderMocks({ stack: "scale", config: { "aws:region": "us-east-1", "medallion-lake:lake": syntheticLake(sources, tablesPerSource) }, program: () => createLake({ baseDir: PROJECT_ROOT }).outputs() });
    const counts: Record<string, number> = {};
    run.resources.forEach((r: MockResource) => (counts[r.type] = (counts[r.type] ?? 0) + 1));
    return counts;
}

describe("resource count grows with sources, not tables", () => {
    let three: Record<string, number>;
    let thirty: Record<string, number>;
    let four: Record<string, number>;
    before(async () => {
        three = await countsFor(3, 1);
        thirty = await countsFor(3, 10);
        four = await countsFor(4, 10);
    });

    it("30 tables over 3 sources register exactly what 3 tables do", () => {
        expect(thirty).to.deep.equal(three);
        expect(thirty["aws:glue/job:Job"]).to.equal(4); // bronze, silver, gold and the on-demand forget job
    });

    it("a fourth source adds one connection and one crawler, and no job", () => {
        const diff = Object.fromEntries(Object.keys(four).filter((t) => four[t] !== three[t]).map((t) => [t, four[t] - (three[t] ?? 0)]));
        expect(diff).to.deep.equal({ "aws:glue/connection:Connection": 1, "aws:glue/crawler:Crawler": 1 });
    });
});
