/**
 * The Lambda service of a rehearsal: one warm worker process per deployed function, started on
 * its first invocation with the function's environment, and answers shaped as Lambda's Invoke
 * API gives them (an unhandled error as `X-Amz-Function-Error: Unhandled` with `errorType` and
 * `errorMessage`, a run past the function's timeout as `Sandbox.Timedout`, after which the
 * sandbox is discarded as Lambda discards it).
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A deployed function as the rehearsal runs it. */
export interface RehearsalFunction {
  readonly name: string;
  readonly arn: string;
  /** Logical id in the template (names the function in messages). */
  readonly logicalId: string;
  /** The bundle module Lambda loads and the export it calls. */
  readonly file: string;
  readonly exportName: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** `Environment.Variables` as deployed. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroup: string;
}

/** What Invoke returns. */
export interface InvokeResult {
  /** `Unhandled` when the function failed (the payload is then `{ errorType, errorMessage }`). */
  readonly functionError?: "Unhandled";
  readonly payload: unknown;
}

interface WorkerReply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly trace?: string[];
}

const WORKER = fileURLToPath(new URL("./lambda-worker.mjs", import.meta.url));

/** Runs invocations of deployed functions in warm worker processes. */
export class LambdaPool {
  private readonly workers = new Map<string, ChildProcess>();
  private nextId = 0;

  /**
   * @param environmentOf the variables the runtime adds for a function (region, endpoint,
   *   credentials of its role) on top of its own `Environment`.
   * @param onLog receives each line a function writes to stdout or stderr.
   */
  constructor(
    private readonly environmentOf: (fn: RehearsalFunction) => Record<string, string>,
    private readonly onLog: (fn: RehearsalFunction, line: string) => void = () => {},
  ) {}

  /** Invokes `fn` with `event` and waits for its answer, at most its timeout. */
  invoke(fn: RehearsalFunction, event: unknown): Promise<InvokeResult> {
    const worker = this.worker(fn);
    const id = this.nextId++;
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const done = (result: InvokeResult) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("exit", onExit);
        resolve(result);
      };
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== id) return;
        if (reply.ok) done({ payload: reply.result });
        else done(unhandled(reply.errorType ?? "Error", reply.errorMessage ?? "", reply.trace));
      };
      const onExit = (code: number | null) =>
        done(unhandled("Runtime.ExitError", `RequestId: ${id} Error: Runtime exited with error: exit status ${code}`));
      // Lambda stops the sandbox at the timeout; the next invocation gets a fresh one.
      const timer = setTimeout(() => {
        this.discard(fn.name);
        done(unhandled("Sandbox.Timedout", `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`));
      }, fn.timeoutSeconds * 1000);
      worker.on("message", onMessage);
      worker.once("exit", onExit);
      worker.send({ id, event, deadline });
    });
  }

  /** Stops every worker. */
  stop(): void {
    for (const name of [...this.workers.keys()]) this.discard(name);
  }

  private worker(fn: RehearsalFunction): ChildProcess {
    let worker = this.workers.get(fn.name);
    if (worker && worker.exitCode === null) return worker;
    worker = fork(WORKER, [fn.file, fn.exportName], {
      env: { ...fn.environment, ...this.environmentOf(fn) },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      execArgv: [],
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      let buffered = "";
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        const lines = (buffered + chunk).split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) this.onLog(fn, line);
      });
    }
    this.workers.set(fn.name, worker);
    return worker;
  }

  private discard(name: string): void {
    this.workers.get(name)?.kill("SIGKILL");
    this.workers.delete(name);
  }
}

function unhandled(errorType: string, errorMessage: string, trace?: string[]): InvokeResult {
  return { functionError: "Unhandled", payload: { errorType, errorMessage, ...(trace ? { trace } : {}) } };
}
