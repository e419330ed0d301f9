/**
 * CrossGuard entry point: `pulumi preview --policy-pack policy`. Constructing the pack starts the
 * analyzer server, so tests import `pack.ts` instead of this file.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack";

new PolicyPack("medallion-lake-guardrails", {
    description: "Guardrails for the medallion lake: encrypted private TLS-only buckets, least-privilege IAM, encrypted Glue and Athena, protected production data.",
    enforcementLevel: "mandatory",
    policies,
});
