/** The content hash that names the lake's uploaded objects (scripts, package, lake spec, gold SQL). */
import * as crypto from "crypto";

/** First 16 hex digits of the SHA-256 of `data`: enough to make key collisions irrelevant. */
export function contentHash(data: string | Buffer | (string | Buffer)[]): string {
    const h = crypto.createHash("sha256");
    for (const part of Array.isArray(data) ? data : [data]) h.update(part);
    return h.digest("hex").slice(0, 16);
}
