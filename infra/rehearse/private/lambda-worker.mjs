/**
 * One warm Lambda sandbox of a rehearsal: a child process that loads one function's bundle (the
 * asset CloudFormation deployed) and runs its handler for each invocation the parent sends over
 * IPC, as the Node.js Lambda runtime does. Its environment (the function's `Environment`, the
 * runtime's variables and the function's own credentials) is set by the parent at fork time.
 *
 * Plain JavaScript so it runs with `node` alone, with no TypeScript loader between the bundle and
 * the runtime it expects.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";

const [, , file, exportName] = process.argv;
let handler;

async function load() {
  const module = await import(pathToFileURL(file).href);
  const fn = module[exportName] ?? module.default?.[exportName];
  if (typeof fn !== "function") {
    throw Object.assign(new Error(`${file} exports no function \`${exportName}\``), {
      name: "Runtime.HandlerNotFound",
    });
  }
  return fn;
}

/** The context object the Node.js runtime passes to a handler. */
function context(deadline) {
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return {
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: process.env.STEPFLOW_REHEARSE_FUNCTION_ARN,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

process.on("message", async ({ id, event, deadline }) => {
  try {
    handler ??= await load();
    const result = await handler(event, context(deadline));
    process.send({ id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send({ id, ok: false, errorType: e.name || "Error", errorMessage: e.message, trace: String(e.stack ?? "").split("\n") });
  }
});
