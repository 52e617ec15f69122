import "../../sdk/local/private/with-resolvers.ts";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createTaskHandler, localStores } from "../../functions/index.ts";
import { resolveOutput } from "../../functions/resolve-output.ts";
import type { StateMachineDefinition } from "../../sdk/compile/asl.ts";
import { compile, flow, task } from "../../sdk/index.ts";
import { localSubstitutions, substitute } from "../../sdk/compile/substitute.ts";
import type { Envelope, TaskRequest } from "../../sdk/core/protocol.ts";
import { tempDir } from "../support/temp-dir.ts";
import { quietLogger } from "./support/memory-stores.ts";
import { seededRandom } from "../../flows/lib/seeded-random.ts";
import type { Json } from "../../sdk/core/json.ts";

class Flaky extends Error {
  override name = "Flaky";
}

// Seeded: the failures are random but the test is repeatable.
const random = seededRandom(20_260_101);
let failures = 0;
const fetchItem = task("fetch-item", { retries: 12, retryDelay: 1 }, (x: number) => {
  if (random() < 0.2) {
    failures++;
    throw new Flaky(`item ${x} failed, try again`);
  }
  // Odd items are larger than the Map item inline limit, so they travel as stored references.
  return { x, double: x * 2, pad: x % 2 ? "p".repeat(300) : "" };
});
const range = task("range", (n: number) => Array.from({ length: n }, (_, i) => i));
// `range` returns `{ items }` (an `items` hint) that the Map iterates; each item reaches the task as `{ env }`.
const flaky = flow("flaky", { params: z.object({ n: z.number() }) }, ({ n }) => fetchItem.map(range(n)));

/** Every Task state's name in a definition, Map iterations included. */
function taskStates(def: StateMachineDefinition): string[] {
  return Object.entries(def.States).flatMap(([name, s]) =>
    s.Type === "Task"
      ? [name]
      : s.Type === "Map"
        ? taskStates(s.ItemProcessor)
        : s.Type === "Parallel"
          ? s.Branches.flatMap(taskStates)
          : [],
  );
}

describe("failure injection", () => {
  it("retries a task failing 20% of the time across 200 items: 200 results, one SUCCEEDED record per item", async () => {
    const stores = localStores({ dir: tempDir("stepflow-flaky-"), env: {} });
    const compiled = compile(flaky, { target: "local" });
    const handle = createTaskHandler({
      tasks: { "fetch-item": fetchItem, range },
      ...stores,
      logger: quietLogger(),
    });
    // The bare engine retries here (the definition keeps its Retry) but keeps `$$.State.RetryCount`
    // at 0, so this harness numbers the attempts itself. (`runLocal` lets its retry driver do both.)
    const attempts = new Map<string, number>();
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    for (const state of taskStates(compiled.definition)) {
      retryIntervalOverrides[state] = 0;
      handlers[state] = async (input) => {
        const req = input as unknown as TaskRequest;
        const key = `${req.state}#${req.index}`;
        const attempt = attempts.get(key) ?? 0;
        attempts.set(key, attempt + 1);
        return (await handle({ ...req, attempt })) as unknown as Json;
      };
    }
    const machine = new StateMachine(substitute(compiled.definition, localSubstitutions(compiled)) as never);
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const execution = machine.run({ n: 200 }, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
      context: { Execution: { Name: "run-flaky", Id: "arn:local:run-flaky" }, State: { RetryCount: 0 } },
    } as never);
    const output = (await execution.result) as unknown;

    expect(compiled.output.kind).toBe("rows");
    const col = (compiled.output as { col: string }).col;
    const rows = output as Record<string, Envelope>[];
    const results = (await resolveOutput(stores.results, { rows, col })) as { x: number; double: number }[];
    expect(results.map((r) => r.double)).toStrictEqual(xs.map((x) => x * 2));
    expect(rows.some((r) => "s3" in r[col])).toBe(true);

    const { tasks } = await stores.history.getRun("run-flaky");
    const succeeded = tasks.filter((t) => t.status === "SUCCEEDED" && t.task === "fetch-item");
    const failed = tasks.filter((t) => t.status === "FAILED");
    expect(succeeded.map((t) => t.mapIndex).sort((a, b) => a! - b!)).toStrictEqual(xs);
    expect(failed).toHaveLength(failures);
    expect(failures).toBeGreaterThan(20); // about 20% of ~250 attempts
    expect(tasks.filter((t) => t.status === "RUNNING")).toHaveLength(0);
    expect(new Set(failed.map((t) => t.error?.name))).toStrictEqual(new Set(["Flaky"]));
    expect(tasks).toHaveLength(1 + 200 + failures);
  });
});
