// The worker thread of test/support/bundle-thread.ts: runs the bundle worker's builds, one at a
// time (the test's thread waits for each), and answers on the request's port, then wakes the test.
import { parentPort } from "node:worker_threads";
import { buildAll } from "../../infra/private/bundle-worker.mjs";

parentPort.on("message", async ({ input, done, port }) => {
  let reply;
  try {
    reply = { output: await buildAll(JSON.parse(input).requests) };
  } catch (error) {
    reply = { stderr: String(error?.stack ?? error) };
  }
  port.postMessage(reply);
  port.close();
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
