/**
 * Human output of the local lake: aligned text tables, durations, counts and the progress lines of
 * each step. Pure formatting functions (tested on their own) plus a small console reporter.
 */

export type Cell = string | number | bigint | boolean | null | undefined;

function cellText(value: Cell, groupDigits: boolean): string {
    if (value === null || value === undefined) return "NULL";
    if (groupDigits && typeof value === "number" && Number.isInteger(value)) return formatCount(value);
    return String(value);
}

const isNumeric = (value: Cell) => typeof value === "number" || typeof value === "bigint";

/**
 * A text table: a header, a rule, one line per row; numbers right-aligned, the rest left-aligned.
 * `groupDigits` writes counts as `172,456` (not for query results, where ids would read oddly).
 */
export function formatTable(headers: string[], rows: Cell[][], options: { groupDigits?: boolean } = {}): string {
    const text = rows.map((row) => headers.map((_, i) => cellText(row[i], options.groupDigits ?? false)));
    const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
    const line = (cells: string[], raw?: Cell[]) =>
        cells
            .map((c, i) => (raw && isNumeric(raw[i]) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...text.map((r, i) => line(r, rows[i]))].join("\n");
}

/** `172,456` — thousands separated, whatever the machine's locale. */
export function formatCount(n: number): string {
    const [int, frac] = String(Math.abs(n)).split(".");
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${n < 0 ? "-" : ""}${grouped}${frac ? `.${frac}` : ""}`;
}

/** `850 ms`, `12.3 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** `1.2 GiB`. */
export function formatBytes(bytes: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Writes progress for people; the orchestrator never prints directly, so tests can capture it. */
export interface Reporter {
    /** A step begins: `[3/8] crawl — reading table definitions from the source databases`. */
    stepStarted(index: number, total: number, step: string, what: string): void;
    /** A detail line of the running step (indented). */
    detail(line: string): void;
    /** A step ended. */
    stepEnded(step: string, ok: boolean, ms: number, note?: string): void;
    /** Free-standing output (tables, results). */
    print(text: string): void;
}

export function stepStartLine(index: number, total: number, step: string, what: string): string {
    return `[${index}/${total}] ${step} — ${what}`;
}

export function stepEndLine(step: string, ok: boolean, ms: number, note?: string): string {
    return `      ${ok ? "done" : "FAILED"}: ${step} in ${formatDuration(ms)}${note ? ` (${note})` : ""}`;
}

/** Reporter that writes to a stream (stdout for the CLI), or collects lines (tests, quiet runs). */
export function streamReporter(write: (text: string) => void): Reporter {
    return {
        stepStarted: (i, n, step, what) => write(`${stepStartLine(i, n, step, what)}\n`),
        detail: (line) => write(`${line.replace(/^/gm, "      ")}\n`),
        stepEnded: (step, ok, ms, note) => write(`${stepEndLine(step, ok, ms, note)}\n`),
        print: (text) => write(`${text}\n`),
    };
}
