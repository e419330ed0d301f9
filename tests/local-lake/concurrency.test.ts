import { expect } from "chai";
import { mapConcurrently } from "../../local-lake/lib/concurrency";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("mapConcurrently", () => {
    it("keeps the items' order whatever order the calls finish in", async () => {
        const out = await mapConcurrently([30, 5, 15, 0], 4, async (ms, i) => {
            await tick(ms);
            return `${i}:${ms}`;
        });
        expect(out).to.deep.equal(["0:30", "1:5", "2:15", "3:0"]);
    });

    it("never has more than `limit` calls in flight, and runs them in parallel up to it", async () => {
        let inFlight = 0;
        let peak = 0;
        await mapConcurrently([...Array(9).keys()], 3, async () => {
            peak = Math.max(peak, ++inFlight);
            await tick(5);
            inFlight--;
        });
        expect(peak).to.equal(3);
    });

    it("rejects with the first failed item's error only after every call settled", async () => {
        const finished: number[] = [];
        const failing = mapConcurrently([0, 1, 2, 3], 2, async (i) => {
            await tick(i === 3 ? 20 : 1);
            finished.push(i);
            if (i === 1 || i === 2) throw new Error(`item ${i} failed`);
            return i;
        });
        await failing.then(
            () => expect.fail("should reject"),
            (e: Error) => expect(e.message).to.equal("item 1 failed"),
        );
        expect(finished.sort()).to.deep.equal([0, 1, 2, 3]);
    });

    it("returns nothing for no items and refuses a limit below 1", async () => {
        expect(await mapConcurrently([], 2, async () => 1)).to.deep.equal([]);
        await mapConcurrently([1], 0, async () => 1).then(
            () => expect.fail("should reject"),
            (e: Error) => expect(e.message).to.match(/positive integer, got 0/),
        );
    });
});
