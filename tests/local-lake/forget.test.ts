/** `npm run forget`'s arguments: the repeatable --key and the key's check against the table's primary key. */
import { expect } from "chai";
import { LakeSpec } from "../../packages/medallion-lake/src";
import { keyObject, splitKeys } from "../../local-lake/lib/forget";
import { loadLakeStack } from "../../local-lake/lib/config";

describe("npm run forget: arguments", () => {
    const spec: LakeSpec = loadLakeStack("local").spec;
    const composite: LakeSpec = {
        ...spec,
        sources: [{ ...spec.sources[0], name: "shop", tables: [{ ...spec.sources[0].tables[0], name: "lines", primaryKey: ["order", "line"] }] }],
    };

    it("splits repeated --key flags off the others, in order", () => {
        expect(splitKeys(["--table", "crm.users", "--key", "order=7", "--key=line=2"])).to.deep.equal({ keys: ["order=7", "line=2"], rest: ["--table", "crm.users"] });
        expect(() => splitKeys(["--key"])).to.throw("--key needs a value");
    });

    it("takes a bare value or column=value for a one-column key", () => {
        expect(keyObject(spec, "crm.users", ["42"])).to.deep.equal({ userid: "42" });
        expect(keyObject(spec, "crm.users", ["userid=42"])).to.deep.equal({ userid: "42" });
        expect(keyObject(spec, "crm.users", ["a=b"]), "a value with = in it").to.deep.equal({ userid: "a=b" });
    });

    it("needs column=value for each column of a composite key, once", () => {
        expect(keyObject(composite, "shop.lines", ["line=2", "order=7"])).to.deep.equal({ line: "2", order: "7" });
        expect(() => keyObject(composite, "shop.lines", ["7"])).to.throw("expected <column>=<value> with a column of shop.lines's primary key (order, line)");
        expect(() => keyObject(composite, "shop.lines", ["order=7"])).to.throw("missing line");
        expect(() => keyObject(composite, "shop.lines", ["order=7", "order=8", "line=1"])).to.throw("given twice");
    });

    it("refuses an unknown table, a missing key and a column outside the primary key, naming them", () => {
        expect(() => keyObject(spec, "crm.people", ["1"])).to.throw(/--table crm\.people: the lake has no such table .*crm\.users/);
        expect(() => keyObject(spec, "users", ["1"])).to.throw("no such table");
        expect(() => keyObject(spec, "crm.users", [])).to.throw("--key is required: the value of crm.users's primary key (userid)");
        expect(() => keyObject(spec, "crm.users", ["username=SZA78BJN"])).to.throw("username is not in crm.users's primary key (userid)");
    });
});
