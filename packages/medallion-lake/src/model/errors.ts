/** The error every config check throws: pure, imported by the naming rules and the schema alike. */

/** One problem in the config: where (`sources[1].engine`) and what. */
export interface LakeConfigIssue {
    path: string;
    message: string;
    /** The file the field is in when it is not the lake config itself: its table catalog (`catalog`), as the config names it. Default: the lake config. */
    file?: string;
}

/** Thrown by `parseLakeConfig` (and naming checks); the message lists every issue, one per line. */
export class LakeConfigError extends Error {
    readonly issues: LakeConfigIssue[];
    constructor(issues: LakeConfigIssue[]) {
        super(
            `Invalid medallion-lake:lake config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  ${i.file ? `${i.file}: ` : ""}${i.path || "(root)"}: ${i.message}`).join("\n"),
        );
        this.name = "LakeConfigError";
        this.issues = issues;
    }
}
