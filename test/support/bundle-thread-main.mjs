// The worker thread of test/support/bundle-thread.ts: runs the bundle worker's builds, one at a
// time (the test's thread waits for each), and answers on the request's port, then wakes the test.
// The worker is imported inside the try: a worker that fails to load answers with its error, as a
// worker process would print it, instead of leaving the test's thread waiting.
import { parentPort } from "node:worker_threads";

parentPort.on("message", async ({ input, done, port }) => {
  let reply;
  try {
    const { buildAll } = await import("../../infra/private/bundle-worker.mjs");
    reply = { output: await buildAll(JSON.parse(input).requests) };
  } catch (error) {
    reply = { stderr: String(error?.stack ?? error) };
  }
  port.postMessage(reply);
  port.close();
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
