/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected the promise to reject, but it resolved");
}
