import { expect } from "chai";
import { parseFlags } from "../../local-lake/lib/cli";
import { parseMetricLine } from "../../local-lake/lib/python";
import { parseJsonOutput } from "../../local-lake/lib/localdb";

describe("local lake: command-line and output parsing", () => {
    const spec = { stack: "string", scale: "number", reset: "boolean" } as const;

    it("parses --name value, --name=value, booleans and positionals", () => {
        expect(parseFlags(["--stack", "dev", "--scale=0.02", "--reset", "gold/x"], spec, "lake")).to.deep.equal({
            flags: { stack: "dev", scale: 0.02, reset: true },
            positionals: ["gold/x"],
        });
    });

    it("rejects unknown flags naming the accepted ones, bad numbers and missing values", () => {
        expect(() => parseFlags(["--stak", "dev"], spec, "npm run lake")).to.throw("npm run lake: unknown flag --stak (accepted: --stack, --scale, --reset)");
        expect(() => parseFlags(["--scale", "ten"], spec, "lake")).to.throw('--scale must be a number, got "ten"');
        expect(() => parseFlags(["--stack"], spec, "lake")).to.throw("--stack needs a value");
        expect(() => parseFlags(["--reset=yes"], spec, "lake")).to.throw("--reset takes no value");
    });

    it("reads MEDALLION_METRIC lines, also behind a log prefix, and ignores everything else", () => {
        expect(parseMetricLine('MEDALLION_METRIC {"event": "silver_table", "silver_rows": 3}')).to.deep.equal({ event: "silver_table", silver_rows: 3 });
        expect(parseMetricLine('24/11/26 06:00:00 INFO x: MEDALLION_METRIC {"rows": 1}')).to.deep.equal({ rows: 1 });
        expect(parseMetricLine("WARN NativeCodeLoader: Unable to load native-hadoop library")).to.equal(undefined);
        expect(parseMetricLine("MEDALLION_METRIC not json")).to.equal(undefined);
        expect(parseMetricLine("MEDALLION_METRIC [1,2]")).to.equal(undefined);
    });

    it("takes a localdb command's JSON from stdout, even after stray lines, and names the command otherwise", () => {
        expect(parseJsonOutput('{"a": 1}\n', "load")).to.deep.equal({ a: 1 });
        expect(parseJsonOutput('starting...\n{"postgres": {"port": 5433}}\n', "start")).to.deep.equal({ postgres: { port: 5433 } });
        expect(() => parseJsonOutput("nothing here", "crawl")).to.throw("localdb crawl printed no JSON result");
    });
});
