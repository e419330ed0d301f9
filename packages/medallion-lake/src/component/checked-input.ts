/** Checking a pass-through value (`Deferred`, see model/deferred.ts) once Pulumi knows it. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Deferred } from "../model/deferred";
import { LakeConfigError } from "../model/errors";

/** Checks a pass-through value once it is known. @throws LakeConfigError at `path` when `literal` rejects it. */
export function checkedInput(value: string | Deferred<string>, literal: z.ZodType<string>, path: string): pulumi.Output<string> {
    // A Deferred is a pulumi.Output or a Promise: both are what pulumi.output takes.
    return pulumi.output(value as pulumi.Input<string>).apply((v) => {
        const result = literal.safeParse(v);
        if (!result.success) throw new LakeConfigError(result.error.issues.map((i) => ({ path, message: `${i.message} (got "${v}")` })));
        return v;
    });
}
