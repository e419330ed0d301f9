/** A controllable StackRunner for the automation and CLI tests. */
import { DestroySummary, EnvironmentOutputs, EnvironmentSettings, OperationIO, PreviewSummary, StackRunner } from "../../stacks/automation";

export function deferred<T = void>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return { promise, resolve, reject };
}

/** A runner whose operations finish only when the test says so; it logs starts and ends per stack. */
export class FakeRunner implements StackRunner {
    readonly log: string[] = [];
    readonly pending: { stack: string; io: OperationIO; done: ReturnType<typeof deferred<EnvironmentOutputs>> }[] = [];
    /** Settings that up/preview were given, in call order. */
    readonly settings: EnvironmentSettings[] = [];
    fail?: Error;
    /** When set, operations finish at once with these outputs. */
    autoResolve?: EnvironmentOutputs;

    private run(stack: string, io: OperationIO): Promise<EnvironmentOutputs> {
        this.log.push(`start ${stack}`);
        const done = deferred<EnvironmentOutputs>();
        this.pending.push({ stack, io, done });
        if (this.autoResolve) done.resolve(this.autoResolve);
        io.signal?.addEventListener("abort", () => done.reject(new Error("interrupted")));
        return done.promise.finally(() => this.log.push(`end ${stack}`));
    }
    up(settings: EnvironmentSettings, io: OperationIO) {
        this.settings.push(settings);
        if (this.fail) return Promise.reject(this.fail);
        return this.run(settings.stackName, io);
    }
    async preview(settings: EnvironmentSettings, io: OperationIO): Promise<PreviewSummary> {
        this.settings.push(settings);
        await this.run(settings.stackName, io);
        return { changeSummary: { create: 1 } };
    }
    async destroy(stackName: string, io: OperationIO): Promise<DestroySummary> {
        await this.run(stackName, io);
        return { resourceChanges: { delete: 1 } };
    }
    outputs(stackName: string) {
        return this.run(stackName, {});
    }
}

/** Lets queued promise callbacks run. */
export const settle = () => new Promise((r) => setImmediate(r));
