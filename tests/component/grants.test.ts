/**
 * The consumer grants (grants.ts) as pure documents: what the Athena console, JDBC/ODBC drivers and
 * BI tools call before a query must be allowed, scoped to the lake's catalog, databases and workgroup.
 */
import { expect } from "chai";
import { GrantScope, queryGrantPolicy, readGrantPolicy } from "../../packages/medallion-lake/src/component/grants";
import { PolicyDocument } from "../../packages/medallion-lake/src/component/iam";
import { LAKE_L_SCOPE } from "../support/helpers";

const scope: GrantScope = {
    ...LAKE_L_SCOPE,
    workgroupArn: "arn:aws:athena:eu-west-1:111122223333:workgroup/l-prod",
};

const resources = (r: string | string[]) => ([] as string[]).concat(r);

/** Every action the document allows on exactly `resource`, sorted. */
function allowedOn(doc: PolicyDocument, resource: string): string[] {
    return [...new Set(doc.Statement.filter((s) => resources(s.Resource).includes(resource)).flatMap((s) => s.Action))].sort();
}

describe("grantQuery: what consumers' tools call before a query", () => {
    const doc = queryGrantPolicy(["gold"], scope);

    it("lets the console, drivers and BI tools list and describe databases and tables through Athena, on the account's AwsDataCatalog only", () => {
        expect(allowedOn(doc, "arn:aws:athena:eu-west-1:111122223333:datacatalog/AwsDataCatalog")).to.deep.equal([
            "athena:GetDataCatalog",
            "athena:GetDatabase",
            "athena:GetTableMetadata",
            "athena:ListDatabases",
            "athena:ListTableMetadata",
        ]);
    });

    it("lets them list the catalog's databases (glue:GetDatabases on the catalog) and read only the granted layers' entries", () => {
        const catalog = allowedOn(doc, "arn:aws:glue:eu-west-1:111122223333:catalog");
        expect(catalog).to.include.members(["glue:GetDatabases", "glue:GetDatabase", "glue:GetTables", "glue:GetTable"]);
        expect(allowedOn(doc, "arn:aws:glue:eu-west-1:111122223333:database/l_gold")).to.include("glue:GetDatabases");
        const glueArns = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith("glue:"))).flatMap((s) => resources(s.Resource));
        expect(glueArns.sort()).to.deep.equal(
            ["arn:aws:glue:eu-west-1:111122223333:catalog", "arn:aws:glue:eu-west-1:111122223333:database/l_gold", "arn:aws:glue:eu-west-1:111122223333:table/l_gold/*"].sort(),
        );
    });

    it("lets them read the workgroup and the query statistics the console shows, on the lake's workgroup only", () => {
        expect(allowedOn(doc, scope.workgroupArn)).to.include.members(["athena:GetWorkGroup", "athena:GetQueryRuntimeStatistics", "athena:StartQueryExecution"]);
        const athenaArns = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith("athena:"))).flatMap((s) => resources(s.Resource));
        expect([...new Set(athenaArns)].sort()).to.deep.equal(["*", "arn:aws:athena:eu-west-1:111122223333:datacatalog/AwsDataCatalog", scope.workgroupArn].sort());
    });

    it('grants on "*" only the two listings that take no resource: data catalogs and workgroups', () => {
        const onStar = doc.Statement.filter((s) => resources(s.Resource).includes("*"));
        expect(onStar.flatMap((s) => s.Action).sort()).to.deep.equal(["athena:ListDataCatalogs", "athena:ListWorkGroups"]);
    });
});

describe("grantRead: listing databases", () => {
    it("lets Spark's SHOW DATABASES and catalog browsers list the catalog, and read only the layer's entries", () => {
        const doc = readGrantPolicy("silver", scope);
        expect(allowedOn(doc, "arn:aws:glue:eu-west-1:111122223333:catalog")).to.include("glue:GetDatabases");
        expect(JSON.stringify(doc)).not.to.match(/l_gold|l_bronze|athena:/);
    });
});
