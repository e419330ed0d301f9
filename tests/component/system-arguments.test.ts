import { expect } from "chai";
import { systemArguments } from "../../packages/medallion-lake/src/component/jobs";

describe("systemArguments", () => {
    it("passes no continuous-logging switch: Glue 5.0 always logs in real time and has none", () => {
        // https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging-enable.html
        expect(systemArguments("bronze", "assets", "s3://assets/p.zip")).to.not.have.property("--enable-continuous-cloudwatch-log");
    });

    it("turns job bookmarks on and points temp files and Spark UI logs at the layer's assets prefixes", () => {
        expect(systemArguments("silver", "assets", "s3://assets/p.zip")).to.include({
            "--job-bookmark-option": "job-bookmark-enable",
            "--TempDir": "s3://assets/temp/silver/",
            "--spark-event-logs-path": "s3://assets/spark-ui/silver/",
            "--extra-py-files": "s3://assets/p.zip",
        });
    });
});
