/**
 * The bundle worker's builds in a worker thread of the test process (`useWorkerRun`, installed by
 * test/setup.ts), instead of a Node process and an esbuild service per build (~0.35-0.45
 * CPU-seconds each, 24 builds in the unit tier): the thread keeps esbuild's service, and TypeScript
 * for slices, loaded across builds. It runs the worker's own `buildAll` (infra/private/bundle-worker.mjs),
 * which starts each build with empty caches as a new process does. The callers stay synchronous
 * as CDK constructors are: the test's thread waits on `Atomics.wait` until the build answers.
 * test/infra/bundle-cache.test.ts still spawns the worker process, to prove that wiring.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { WorkerRun } from "../../infra/private/bundle.ts";

/** What the thread answers: the worker's output, or the error a worker process prints on stderr. */
type Reply = { readonly output: string } | { readonly stderr: string };

let thread: Worker | undefined;

/** A hung-build limit, as vitest's test timeout (vitest.config.ts) would be for an awaited build. */
const ANSWER_WITHIN_MS = 120_000;

export const threadWorkerRun: WorkerRun = (input) => {
  thread ??= startThread();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  thread.postMessage({ input, done, port: port2 }, [port2]);
  // Bounded: a blocked thread never reaches vitest's test timeout, so a thread that died (or a
  // build that hangs) must end the wait here.
  if (Atomics.wait(done, 0, 0, ANSWER_WITHIN_MS) === "timed-out") {
    port1.close();
    void thread.terminate();
    thread = undefined;
    throw Object.assign(new Error("the bundle worker thread failed"), {
      stderr: `the bundle worker thread did not answer within ${ANSWER_WITHIN_MS / 1000} s`,
    });
  }
  const reply = receiveMessageOnPort(port1)?.message as Reply | undefined;
  port1.close();
  if (reply && "output" in reply) return reply.output;
  throw Object.assign(new Error("the bundle worker thread failed"), { stderr: reply?.stderr ?? "no answer" });
};

function startThread(): Worker {
  const worker = new Worker(new URL("./bundle-thread-main.mjs", import.meta.url));
  // Idle between builds: the test process ends without stopping it.
  worker.unref();
  return worker;
}
