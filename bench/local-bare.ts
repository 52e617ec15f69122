/**
 * The bare side of bench/local.ts: stepflow's ASL run by aws-local-stepfunctions with trivial
 * handlers, without stepflow's task handler, stores, history or limits.
 */
import { StateMachine } from "aws-local-stepfunctions";
import type { AnyFlow } from "../sdk/index.ts";
import { LIST_STORED_ERROR } from "../sdk/core/protocol.ts";
// Internals, read by this measurement only: the definition and stand-ins runLocal runs.
import { ITEMS_PATH } from "../sdk/local/private/distributed-map.ts";
import { prepare } from "../sdk/local/private/prepare.ts";

/**
 * The same definition runLocal executes, with handlers that return a constant envelope. Compiled
 * once, outside the timing (runLocal caches its compiled flow too).
 */
export function bare(f: AnyFlow, input: Record<string, unknown>, listLength: number): () => Promise<void> {
  const prepared = prepare(f);
  const { definition } = prepared;
  const handlers: Record<string, (req: never) => unknown> = {};
  const values = Array.from({ length: listLength }, (_, i) => i);
  const list = { items: values.map((v) => ({ v })) };
  const items = async (req: { out?: string[]; spill?: string; maxItems?: number }) => {
    // As the task handler does: a list over its Map's item budget is stored and the Catch runs the Distributed Map.
    if (req.spill === "error" && listLength > (req.maxItems ?? Infinity)) {
      throw Object.assign(new Error(JSON.stringify({ s3: "list.json", bytes: 1 })), { name: LIST_STORED_ERROR });
    }
    return list;
  };
  const walk = (d: typeof definition) => {
    for (const [name, s] of Object.entries(d.States)) {
      if (s.Type === "Map") walk(s.ItemProcessor);
      if (s.Type === "Parallel") s.Branches.forEach(walk);
      if (s.Type === "Task") handlers[name] = async (req: { out?: string[] }) => (req.out?.includes("items") ? items(req) : { v: 1 });
    }
  };
  walk(definition);
  for (const m of prepared.distributed.values()) for (const t of m.tasks) handlers[t] ??= async () => ({ v: 1 });
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const options = {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: { Execution: { Name: "bench", Id: "arn:bench" }, State: { RetryCount: 0 } },
  };
  // A Distributed Map's stand-in: its inline Map over the list, as runLocal runs it (no items read, no results written).
  const key = ITEMS_PATH.slice(3, -2);
  for (const [name, m] of prepared.distributed) {
    handlers[name] = async (bound: { input: Record<string, unknown> }) => {
      await m.machine.run({ ...bound.input, [key]: values } as never, { ...options, context: structuredClone(options.context) }).result;
      return { ResultWriterDetails: { Bucket: "results", Key: "manifest.json" } };
    };
  }
  return async () => {
    await machine.run(input as never, options).result;
  };
}

