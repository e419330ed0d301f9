/**
 * Catalog: one Glue database for the crawled source metadata and one per lake layer.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { Layer } from "../model/naming";
import { Storage } from "./storage";

export type Catalog = Record<"source" | Layer, aws.glue.CatalogDatabase>;

const DESCRIPTIONS: Record<keyof Catalog, string> = {
    source: "source tables as crawled over JDBC",
    bronze: "raw ingested source tables (Avro)",
    silver: "typed, deduplicated tables (Iceberg)",
    gold: "business models (partitioned Iceberg tables)",
};

/** `after`: what the databases must wait for (Lake Formation mode: the data-lake settings, so they get no IAMAllowedPrincipals defaults). */
export function createCatalog(ctx: LakeContext, storage: Storage, after: pulumi.Resource[] = []): Catalog {
    const db = (role: keyof Catalog) =>
        new aws.glue.CatalogDatabase(
            `${ctx.name}-${role}-db`,
            {
                name: ctx.spec.databases[role],
                description: `${ctx.prefix}: ${DESCRIPTIONS[role]}`,
                locationUri: role === "source" ? undefined : storage[role].bucket.bucket.apply((b) => `s3://${b}/`),
                tags: ctx.tags,
            },
            ctx.opts("data", after.length > 0 ? { dependsOn: after } : {}),
        );
    return { source: db("source"), bronze: db("bronze"), silver: db("silver"), gold: db("gold") };
}
