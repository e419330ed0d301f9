/**
 * The `tags` field: extra tags for every resource, within the limits every tagged service applies.
 * AWS's tag rules, the same for the services the lake tags (e.g.
 * https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html): a key is
 * 1-128 Unicode characters, a value 0-256, both of letters, digits, spaces and `_ . : / = + - @`
 * (IAM's pattern `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html);
 * neither may start with `aws:` in any case (reserved for AWS); at most 50 user tags per resource, and
 * S3 objects take only 10 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html).
 * IAM roles, which get the lake's tags too, compare keys ignoring case ("you cannot have separate
 * Department and department tag keys", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html),
 * so keys must differ in more than case, from each other and from the component's.
 */
import { z } from "zod";

/** Tags the component sets itself: `lake` and `environment` on every resource, `layer` on buckets and jobs. */
export const COMPONENT_TAG_KEYS = ["lake", "environment", "layer"] as const;

/**
 * Config tags allowed: the lake's S3 objects (scripts, lake spec) carry the config's tags plus `lake`
 * and `environment`, and S3 objects take at most 10 tags; buckets and jobs add `layer` and stay far
 * below the 50 of every other resource.
 */
export const MAX_CONFIG_TAGS = 8;

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const CHARACTERS_RULE = "letters, digits, spaces and _ . : / = + - @ only";

/** Unicode characters, as AWS counts them (a JavaScript string's length counts UTF-16 units). */
const characters = (s: string) => [...s].length;

const tagText = (what: "key" | "value", min: number, max: number) =>
    z
        .string()
        .refine((s) => characters(s) >= min && characters(s) <= max, `tag ${what}s must be ${min}-${max} characters`)
        .refine((s) => TAG_CHARACTERS.test(s), `tag ${what}s take ${CHARACTERS_RULE}`)
        .refine((s) => !/^aws:/i.test(s), `tag ${what}s must not start with aws: (reserved for AWS)`);

export const tagsSchema = z
    .record(tagText("key", 1, 128), tagText("value", 0, 256))
    .superRefine((tags, ctx) => {
        const keys = Object.keys(tags);
        if (keys.length > MAX_CONFIG_TAGS) {
            ctx.addIssue({ code: "custom", message: `at most ${MAX_CONFIG_TAGS} tags, got ${keys.length}: S3 objects take 10, and lake and environment are always added` });
        }
        const seen = new Map<string, string>();
        for (const key of keys) {
            const folded = key.toLowerCase();
            if ((COMPONENT_TAG_KEYS as readonly string[]).includes(folded)) {
                ctx.addIssue({ code: "custom", path: [key], message: `reserved: the component sets the tag ${folded}${key === folded ? "" : " (IAM compares tag keys ignoring case)"}` });
            } else if (seen.has(folded)) {
                ctx.addIssue({ code: "custom", path: [key], message: `same key as tag "${seen.get(folded)}" but for case, which IAM roles do not tell apart` });
            } else seen.set(folded, key);
        }
    })
    .default({})
    .describe(
        `Extra tags on every resource (lake and environment are always set, layer on buckets and jobs, so these keys are refused): at most ${MAX_CONFIG_TAGS}, since the lake's S3 objects take 10; keys 1-128 and values 0-256 characters of ${CHARACTERS_RULE}, not starting with aws: in any case; keys must differ in more than case (IAM compares them ignoring case). Default: none.`,
    );
