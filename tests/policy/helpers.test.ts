import { expect } from "chai";
import { isNamedBucketArn, isS3AllAction, isWildcardAction, parsePolicyDocument } from "../../policy/documents";
import { canonicalType, isProductionStack, stackFromUrn } from "../../policy/resource";

describe("policy helpers", () => {
    it("marks prod, production and prod-* stacks as production, nothing else", () => {
        for (const s of ["prod", "production", "prod-eu", "prod-2"]) expect(isProductionStack(s), s).to.equal(true);
        for (const s of ["dev", "local", "preprod", "prodish", "production-copy", "staging-prod", "Prod"]) expect(isProductionStack(s), s).to.equal(false);
    });

    it("reads the stack from a URN, including a child resource's", () => {
        expect(stackFromUrn("urn:pulumi:prod-eu::medallion-lake::aws:s3/bucket:Bucket::bronze")).to.equal("prod-eu");
        expect(stackFromUrn("urn:pulumi:dev::medallion-lake::medallion:index:MedallionLake$aws:kms/key:Key::tickit-key")).to.equal("dev");
        expect(() => stackFromUrn("bronze")).to.throw('not a Pulumi URN: "bronze"');
    });

    it("maps deprecated V2 S3 type tokens to their v7 names and leaves others alone", () => {
        expect(canonicalType("aws:s3/bucketV2:BucketV2")).to.equal("aws:s3/bucket:Bucket");
        expect(canonicalType("aws:s3/bucketVersioningV2:BucketVersioningV2")).to.equal("aws:s3/bucketVersioning:BucketVersioning");
        expect(canonicalType("aws:s3/bucketPolicy:BucketPolicy")).to.equal("aws:s3/bucketPolicy:BucketPolicy");
        expect(canonicalType("aws:glue/job:Job")).to.equal("aws:glue/job:Job");
    });

    it("parses string and object documents, single statements and camel-case keys", () => {
        const fromString = parsePolicyDocument('{"Statement":{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]}}');
        expect(fromString).to.deep.equal([
            { index: 0, sid: "A", effect: "Allow", actions: ["s3:GetObject"], notActions: [], resources: ["arn:aws:s3:::b/*"], notResources: [], principals: undefined, condition: {} },
        ]);
        const fromObject = parsePolicyDocument({ statement: [{ effect: "Deny", notActions: undefined, action: ["s3:*"], resource: "arn:aws:s3:::b" }] });
        expect(fromObject[0].effect).to.equal("Deny");
        expect(fromObject[0].actions).to.deep.equal(["s3:*"]);
        expect(fromObject[0].resources).to.deep.equal(["arn:aws:s3:::b"]);
    });

    it("rejects unreadable documents with the reason", () => {
        expect(() => parsePolicyDocument("{")).to.throw(/policy is not valid JSON/);
        expect(() => parsePolicyDocument("[]")).to.throw("policy is not a JSON object");
        expect(() => parsePolicyDocument({ Version: "2012-10-17" })).to.throw("policy has no Statement");
        expect(() => parsePolicyDocument({ Statement: [{ Effect: "Allow" }, { Effect: "Maybe" }] })).to.throw('Statement[1].Effect must be Allow or Deny, got "Maybe"');
        expect(() => parsePolicyDocument(undefined)).to.throw("policy is not a JSON object");
    });

    it("tells wildcard actions from narrower patterns", () => {
        for (const a of ["*", " * ", "*:*", "*:GetObject"]) expect(isWildcardAction(a), a).to.equal(true);
        for (const a of ["s3:*", "s3:Get*", "kms:*"]) expect(isWildcardAction(a), a).to.equal(false);
        for (const a of ["s3:*", "S3:*"]) expect(isS3AllAction(a), a).to.equal(true);
        for (const a of ["s3:Get*", "s3:GetObject", "*"]) expect(isS3AllAction(a), a).to.equal(false);
    });

    it("accepts only bucket ARNs that name the bucket", () => {
        for (const arn of ["arn:aws:s3:::tickit-dev-bronze", "arn:aws:s3:::tickit-dev-bronze/*", "arn:aws:s3:::b/sales/part-*", "arn:aws-us-gov:s3:::b"]) {
            expect(isNamedBucketArn(arn), arn).to.equal(true);
        }
        for (const arn of ["*", "arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:s3:::tickit-*", "arn:aws:s3:::tickit-?/x", "arn:aws:kms:us-east-1:1:key/k"]) {
            expect(isNamedBucketArn(arn), arn).to.equal(false);
        }
    });
});
