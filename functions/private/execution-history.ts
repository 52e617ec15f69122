/**
 * Reads an execution's whole history (`GetExecutionHistory`, 1,000 events a page) through
 * `storeCall`, so each page request has a time limit and bounded retries like a store's.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
 */
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { ExecutionHistoryEvent } from "./execution-attempts.ts";
import type { StoreCallPolicy } from "../stores/types.ts";
import { storeCall } from "./store-call.ts";

/** Every event of an execution, oldest first. */
export type ExecutionHistoryReader = (executionArn: string) => Promise<ExecutionHistoryEvent[]>;

/** A reader through `client` (built on first use). */
export function sfnExecutionHistory(client: () => Promise<SFNClient>, policy: StoreCallPolicy = {}): ExecutionHistoryReader {
  return async (executionArn) => {
    const [sfn, { GetExecutionHistoryCommand }] = await Promise.all([client(), import("@aws-sdk/client-sfn")]);
    const name = { store: "Step Functions", operation: "GetExecutionHistory", target: `execution \`${executionArn}\`` };
    const events: ExecutionHistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const command = new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken });
      const page = await storeCall(name, policy, (abortSignal) => sfn.send(command, { abortSignal }));
      events.push(...((page.events ?? []) as ExecutionHistoryEvent[]));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  };
}
