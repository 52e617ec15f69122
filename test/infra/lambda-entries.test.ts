/**
 * The three kinds of stepflow Lambda (task, recorder, notifier) are bundled alike: each bundle's
 * handler comes from the runtime entry (`stepflow/runtime`, functions/index.ts), never from a
 * runtime module behind it.
 */
import { describe, expect, it } from "vitest";
import * as runtime from "../../functions/index.ts";
import { statusEventRequests } from "../../infra/private/status-events.ts";
import { bundleOptions, RUNTIME_ENTRY, taskRequest } from "../../infra/private/task-bundle.ts";
import { fetchPrices, toTheMoon } from "./fixtures/flows.ts";

/** The runtime names a generated entry takes from `from`, by module. */
function importsOf(source: string): { from: string; names: string[] }[] {
  return [...source.matchAll(/(?:import|export) \{ ([^}]+) \} from ("[^"]+")/g)].map((m) => ({
    from: JSON.parse(m[2]) as string,
    names: m[1].split(",").map((n) => n.trim().split(/\s+as\s+/)[0]),
  }));
}

describe("Lambda entries", () => {
  it("builds the task, recorder and notifier handlers from the runtime entry, each a handler it exports", () => {
    const options = bundleOptions({ bundleDir: "/tmp/stepflow-unused" });
    const [recorder, notifier] = statusEventRequests([toTheMoon], options);
    const requests = { task: taskRequest(fetchPrices, options), recorder, notifier: notifier! };
    const fromRuntime = Object.fromEntries(
      Object.entries(requests).map(([kind, r]) => [kind, importsOf(r.source).filter((i) => i.from === RUNTIME_ENTRY).flatMap((i) => i.names)]),
    );
    expect(fromRuntime).toStrictEqual({ task: ["lambdaHandler"], recorder: ["recorderHandler"], notifier: ["notifierHandler"] });
    for (const names of Object.values(fromRuntime)) {
      for (const name of names) expect(typeof (runtime as Record<string, unknown>)[name]).toBe("function");
    }
    // Nothing else of the runtime is imported: the user's task module is the task entry's only other import.
    expect(importsOf(requests.task.source).map((i) => i.from)).toStrictEqual([RUNTIME_ENTRY, requests.task.slice!.file]);
  });
});
