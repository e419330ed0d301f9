/**
 * No state churn: the URNs (type token, parent chain and name of every resource) of the dev and prod
 * stacks under the mocks equal those recorded in tests/fixtures/stack-urns.json, first recorded before
 * the component moved into packages/medallion-lake. A changed URN makes Pulumi replace the resource
 * (delete and create: data buckets and catalog tables included) unless the new registration carries
 * an alias of the old one; see "State and URNs" in docs/aws-deploy.md.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { PROJECT_ROOT } from "../../stacks/stack-config";
import { runStack } from "../support/helpers";

const FIXTURE = path.join(PROJECT_ROOT, "tests", "fixtures", "stack-urns.json");

describe("state: the stacks' URNs", () => {
    const recorded: Record<string, string[]> = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));

    for (const env of ["dev", "prod"]) {
        it(`${env}: every URN is the recorded one, none added or gone`, async () => {
            const urns = new Set((await runStack(env)).resources.map((r) => r.urn));
            const before = new Set(recorded[env]);
            expect(before.size, `${FIXTURE} has no ${env} URNs`).to.be.greaterThan(100);
            const gone = [...before].filter((u) => !urns.has(u));
            const added = [...urns].filter((u) => !before.has(u));
            expect({ gone, added }, "URNs differ from the recorded ones: give a moved resource an alias (docs/aws-deploy.md, State and URNs)").to.deep.equal({ gone: [], added: [] });
        });
    }
});
