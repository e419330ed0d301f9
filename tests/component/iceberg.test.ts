import { expect } from "chai";
import { icebergArguments, icebergSparkConf } from "../../packages/medallion-lake/src/model/iceberg";
import { icebergConf } from "../support/helpers";

describe("icebergArguments", () => {
    it("gives silver Glue's Iceberg jars and one --conf with the Glue catalog settings, its warehouse the silver bucket", () => {
        expect(icebergArguments("silver", "s3://l-silver")).to.deep.equal({ "--datalake-formats": "iceberg", "--conf": icebergConf("s3://l-silver") });
    });

    it("gives gold the same settings with the gold bucket as its warehouse", () => {
        expect(icebergArguments("gold", "s3://l-gold")).to.deep.equal({ "--datalake-formats": "iceberg", "--conf": icebergConf("s3://l-gold") });
    });

    it("gives bronze nothing: it writes Avro files, no table format", () => {
        expect(icebergArguments("bronze", "s3://l-bronze")).to.deep.equal({});
    });

    it("never passes local Spark's settings (HadoopFileIO, a fixed region) to Glue", () => {
        const conf = icebergSparkConf("s3://l-silver");
        expect(conf["spark.sql.catalog.glue_catalog.io-impl"]).to.equal("org.apache.iceberg.aws.s3.S3FileIO");
        expect(conf).to.not.have.property("spark.sql.catalog.glue_catalog.client.region");
    });

    it("rejects a warehouse that is not an s3:// path, or that white space would split into another --conf", () => {
        expect(() => icebergArguments("silver", "file:///tmp/lake")).to.throw('icebergSparkConf: the warehouse must be an s3:// path without white space, got "file:///tmp/lake"');
        expect(() => icebergArguments("gold", "s3://l-gold --conf x=y")).to.throw(/without white space, got "s3:\/\/l-gold --conf x=y"/);
    });
});
