/**
 * The `schedule` field: a cron expression of Glue's scheduled triggers, checked against AWS's rules
 * before the trigger is created (CreateTrigger would refuse it, or create a trigger that never fires).
 * Pure, so the rules are tested without the schema.
 *
 * Rules: Glue's "Time-based schedules for jobs and crawlers"
 * (https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html): six fields
 * `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, values 0-59, 0-23, 1-31, 1-12 or JAN-DEC,
 * 1-7 or SUN-SAT, 1970-2199; wildcards `, - * /` everywhere, `?` `L` `W` in day-of-month, `?` `L` in
 * day-of-week; day-of-month and day-of-week cannot both be given (one must be `?`); nothing more
 * frequent than every 5 minutes. The `#` of day-of-week (`3#2`, the second Tuesday) is EventBridge's
 * rule, which Glue's cron follows (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
 * one such expression alone in the field. Glue triggers take no `rate(...)` expressions.
 */

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/** Most days a month can have (February: 29), for day-of-month values that never occur. */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Glue's minimum precision of a schedule. */
export const MIN_SCHEDULE_MINUTES = 5;

interface Field {
    name: string;
    min: number;
    max: number;
    names?: string[];
}

const FIELDS: Field[] = [
    { name: "minutes", min: 0, max: 59 },
    { name: "hours", min: 0, max: 23 },
    { name: "day-of-month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: MONTHS },
    { name: "day-of-week", min: 1, max: 7, names: WEEKDAYS },
    { name: "year", min: 1970, max: 2199 },
];

class CronProblem extends Error {}

function value(field: Field, text: string): number {
    const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
    if (named >= 0) return named + 1;
    if (!/^\d+$/.test(text)) throw new CronProblem(`${field.name} "${text}" is not a number${field.names ? ` or one of ${field.names[0]}-${field.names[field.names.length - 1]}` : ""}`);
    const n = Number(text);
    if (n < field.min || n > field.max) throw new CronProblem(`${field.name} ${n} is outside ${field.min}-${field.max}`);
    return n;
}

/** The values of one list item: `*`, `n`, `a-b`, each optionally `/step`. */
function itemValues(field: Field, item: string): number[] {
    const [range, step, extra] = item.split("/");
    if (extra !== undefined || range === "") throw new CronProblem(`${field.name} "${item}" is not a value, range or increment`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [field.min, field.max];
    else if (range.includes("-")) {
        const bounds = range.split("-");
        if (bounds.length !== 2) throw new CronProblem(`${field.name} "${item}" is not a range a-b`);
        [from, to] = [value(field, bounds[0]), value(field, bounds[1])];
        if (from > to) throw new CronProblem(`${field.name} range "${range}" ends before it starts (list the values instead)`);
    } else [from, to] = [value(field, range), step === undefined ? value(field, range) : field.max];
    let by = 1;
    if (step !== undefined) {
        if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max) throw new CronProblem(`${field.name} increment "/${step}" must be 1-${field.max}`);
        by = Number(step);
    }
    const values: number[] = [];
    for (let v = from; v <= to; v += by) values.push(v);
    return values;
}

/** The values a plain field selects: a list of items (no `?`, `L`, `W` or `#`). */
function fieldValues(field: Field, text: string): number[] {
    const wildcard = /[?#]/.exec(text) ?? text.split(/[,/-]/).find((t) => /^\d*[LW]+$/i.test(t));
    if (wildcard) throw new CronProblem(`${field.name} "${text}" uses a wildcard (${wildcard}) that stands alone in day-of-month or day-of-week only`);
    return [...new Set(text.split(",").flatMap((item) => itemValues(field, item)))].sort((a, b) => a - b);
}

/** Day-of-month: `?`, `L` (last day), `nW` (weekday nearest day n), or plain values. */
function dayOfMonth(text: string): number[] | "any" | "special" {
    if (text === "?") return "any";
    if (text === "L") return "special";
    const w = /^(\d+)W$/.exec(text);
    if (w) {
        value(FIELDS[2], w[1]);
        return "special";
    }
    if (/[LW]/.test(text)) throw new CronProblem(`day-of-month "${text}": L and W stand alone (L, or nW such as 3W)`);
    return fieldValues(FIELDS[2], text);
}

/** Day-of-week: `?`, `L` (last day of the week), `nL` (last weekday n of the month), `n#k` (k-th weekday n), or plain values. */
function dayOfWeek(text: string): "any" | "given" {
    if (text === "?") return "any";
    if (text === "L") return "given";
    const last = /^(\d+)L$/.exec(text);
    if (last) {
        value(FIELDS[4], last[1]);
        return "given";
    }
    const nth = /^(\d+)#(\d+)$/.exec(text);
    if (nth) {
        value(FIELDS[4], nth[1]);
        if (Number(nth[2]) < 1 || Number(nth[2]) > 5) throw new CronProblem(`day-of-week "${text}": the instance after # must be 1-5`);
        return "given";
    }
    if (/[L#]/i.test(text.replace(/[A-Z]{3}/gi, "1"))) {
        throw new CronProblem(`day-of-week "${text}": L and # stand alone in the field, with numeric days (L, nL such as 6L, or one n#k such as 3#2)`);
    }
    fieldValues(FIELDS[4], text);
    return "given";
}

/** Shortest gap in minutes between two runs within a day, from the minute and hour sets. */
function shortestGap(minutes: number[], hours: number[]): number {
    let gap = Infinity;
    for (let i = 1; i < minutes.length; i++) gap = Math.min(gap, minutes[i] - minutes[i - 1]);
    const consecutiveHours = hours.some((h, i) => hours[i + 1] === h + 1) || (hours.includes(23) && hours.includes(0));
    if (consecutiveHours) gap = Math.min(gap, 60 - minutes[minutes.length - 1] + minutes[0]);
    return gap;
}

/**
 * Why `schedule` is not a cron expression Glue accepts, or undefined when it is.
 * The rules and their sources: this file's header.
 */
export function scheduleProblem(schedule: string): string | undefined {
    if (/^rate\(/.test(schedule)) return `Glue triggers take only cron(...) expressions, not rate(...), e.g. cron(0 2 * * ? *); got "${schedule}"`;
    const m = /^cron\((.*)\)$/.exec(schedule);
    const fields = m?.[1].split(" ");
    if (!fields || fields.length !== 6 || fields.some((f) => f === "")) {
        return `must be a Glue cron expression with six fields separated by single spaces, cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 2 * * ? *); got "${schedule}"`;
    }
    const [min, hour, dom, month, dow, year] = fields;
    try {
        const minutes = fieldValues(FIELDS[0], min);
        const hours = fieldValues(FIELDS[1], hour);
        const months = fieldValues(FIELDS[3], month);
        fieldValues(FIELDS[5], year);
        const days = dayOfMonth(dom);
        const weekdays = dayOfWeek(dow);
        if ((days === "any") === (weekdays === "any")) {
            return `exactly one of day-of-month and day-of-week must be ? (AWS cron cannot take both, nor neither), e.g. cron(0 2 * * ? *) or cron(0 2 ? * MON-FRI *); got "${schedule}"`;
        }
        if (Array.isArray(days) && days[0] > Math.max(...months.map((mo) => MONTH_DAYS[mo - 1]))) {
            return `day-of-month ${dom} never occurs in month ${month}: the trigger would never fire; got "${schedule}"`;
        }
        if (shortestGap(minutes, hours) < MIN_SCHEDULE_MINUTES) {
            return `runs more often than every ${MIN_SCHEDULE_MINUTES} minutes, Glue's minimum; got "${schedule}"`;
        }
    } catch (e) {
        if (e instanceof CronProblem) return `${e.message}; got "${schedule}"`;
        throw e;
    }
    return undefined;
}
