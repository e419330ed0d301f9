/**
 * A value another resource of the same Pulumi program resolves later: a `pulumi.Output<T>` or a
 * `Promise<T>`. Named by its shape (an Output's `apply`, a Promise's `then`) so that the pure model
 * needs no Pulumi import; the component resolves and checks it (component/checked-input.ts).
 */
export type Deferred<T> = PromiseLike<T> | { apply<U>(func: (value: T) => U): unknown };

/** True for a `pulumi.Output` or a `Promise` (an object with an `apply` or a `then` function). */
export function isDeferred(value: unknown): value is Deferred<unknown> {
    if (value === null || typeof value !== "object") return false;
    const v = value as { apply?: unknown; then?: unknown };
    return typeof v.apply === "function" || typeof v.then === "function";
}
