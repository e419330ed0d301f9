import { expect } from "chai";
import { convertTrinoValue, typeName, withParameters } from "../../query-engines/trino";

describe("Trino engine: parameters, types and values", () => {
    it("binds positional parameters as literals through EXECUTE IMMEDIATE, quoting the statement", () => {
        expect(withParameters("SELECT 1")).to.equal("SELECT 1");
        expect(withParameters(`SELECT * FROM "t" WHERE "name" = ? AND "year" = ? AND "ok" = ?`, ["O'Brien", 2008, true])).to.equal(
            `EXECUTE IMMEDIATE 'SELECT * FROM "t" WHERE "name" = ? AND "year" = ? AND "ok" = ?' USING 'O''Brien', 2008, TRUE`,
        );
        expect(() => withParameters("SELECT ?", [Number.NaN])).to.throw("parameters[0]: NaN is not a finite number");
    });

    it("reports type names as the shared interface does", () => {
        expect(typeName("decimal(8, 2)")).to.equal("decimal(8,2)");
        expect(typeName("VARCHAR")).to.equal("varchar");
        expect(typeName("timestamp(3) with time zone")).to.equal("timestamp(3) with time zone");
    });

    it("keeps decimals exact, turns NaN/Infinity text into numbers and large bigints into bigint", () => {
        expect(convertTrinoValue("12345678901234567890.12", "decimal(22,2)")).to.equal("12345678901234567890.12");
        expect(convertTrinoValue("NaN", "double")).to.be.NaN;
        expect(convertTrinoValue("Infinity", "real")).to.equal(Infinity);
        expect(convertTrinoValue("9007199254740993", "bigint")).to.equal(9007199254740993n);
        expect(convertTrinoValue("42", "bigint")).to.equal(42);
        expect(convertTrinoValue(null, "varchar")).to.equal(null);
        expect(convertTrinoValue("2008-01-01 20:00:00.000", "timestamp(3)")).to.equal("2008-01-01 20:00:00.000");
    });
});
