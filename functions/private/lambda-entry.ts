/**
 * How every Lambda entry (task, recorder, notifier) wraps its core, so the three behave alike:
 * the core is built on the first invocation, the Lambda context goes on every line of the
 * entry's Powertools `Logger` through its public `addContext`, and store calls end within the
 * invocation's remaining time.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { lambdaDeadline, withDeadline } from "./deadline.ts";

/** A Lambda handler: an event and, on Lambda, the invocation's context. */
export type LambdaEntry<E, R> = (event: E, context?: unknown) => Promise<R>;

/**
 * The entry of a core that `build` creates with the entry's logger. `build` runs on the first
 * invocation, not at import, so a missing environment variable fails that invocation with a
 * clear error instead of failing the module's import; what it builds (clients, the secret
 * cache) then lives for the container, never per-run state.
 */
export function lambdaEntry<E, R>(
  serviceName: string,
  build: (logger: Logger) => (event: E) => Promise<R>,
): LambdaEntry<E, R> {
  const logger = new Logger({ serviceName });
  let core: ((event: E) => Promise<R>) | undefined;
  return async (event, context) => {
    withLambdaContext(logger, context);
    const handle = (core ??= build(logger));
    return withDeadline(lambdaDeadline(context), () => handle(event));
  };
}

/**
 * Puts the Lambda context (request id, function, cold start) on every line `logger` and its
 * per-invocation children print, through Powertools' public `addContext`. A direct call (a
 * test, the local runner) has no context: its lines go without.
 */
function withLambdaContext(logger: Logger, context: unknown): void {
  const c = context as Partial<Context> | undefined;
  if (typeof c?.awsRequestId === "string" && typeof c.functionName === "string") logger.addContext(c as Context);
}
