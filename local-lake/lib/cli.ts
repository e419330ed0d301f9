/** Command-line flag parsing shared by the local-lake commands (lake, query, preview, plan, bench). */

export type FlagKind = "string" | "number" | "boolean";

export interface ParsedFlags {
    flags: Record<string, string | number | boolean>;
    positionals: string[];
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against `spec`; everything else
 * is positional. Unknown flags and bad numbers are errors naming the flag and what is accepted.
 */
export function parseFlags(argv: string[], spec: Record<string, FlagKind>, command: string): ParsedFlags {
    const flags: ParsedFlags["flags"] = {};
    const positionals: string[] = [];
    const known = () => Object.keys(spec).map((f) => `--${f}`).join(", ");
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("--")) {
            positionals.push(arg);
            continue;
        }
        const eq = arg.indexOf("=");
        const name = arg.slice(2, eq < 0 ? undefined : eq);
        const kind = spec[name];
        if (!kind) throw new Error(`${command}: unknown flag --${name} (accepted: ${known() || "none"})`);
        if (kind === "boolean") {
            if (eq >= 0) throw new Error(`${command}: --${name} takes no value`);
            flags[name] = true;
            continue;
        }
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || value === "") throw new Error(`${command}: --${name} needs a value`);
        if (kind === "number") {
            const n = Number(value);
            if (!Number.isFinite(n)) throw new Error(`${command}: --${name} must be a number, got "${value}"`);
            flags[name] = n;
        } else {
            flags[name] = value;
        }
    }
    return { flags, positionals };
}

/** Runs a CLI main: prints the error message (no stack trace for expected failures) and sets the exit code. */
export function runMain(main: () => Promise<void>): void {
    main().catch((e: unknown) => {
        process.stderr.write(`\nerror: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
    });
}
