/**
 * The results-store keys the compiler names in a definition (a Distributed Map's ResultWriter
 * prefix, its ItemReader key, a list producer's spill key) lie under the run's prefix that the
 * runtime writes and each task's role is granted (`runPrefix`, sdk/core/protocol.ts).
 */
import { describe, expect, it } from "vitest";
import { nestedStates } from "../../sdk/compile/asl.ts";
import { flowRunsPrefix, resultKey, runPrefix } from "../../sdk/core/protocol.ts";
import { compile, flow, task } from "../../sdk/index.ts";
import { everything } from "../fixtures/every-feature.ts";

const RUN = "layout-20261202T130000Z-abcdefghijkl";

/** What `States.Format('<template>', <path>)` gives for this run. */
function formatted(expression: unknown): string {
  const m = /^States\.Format\('(.*)', \$+[.\w]*\)$/.exec(String(expression));
  if (!m) throw new Error(`not a States.Format of the run id: ${String(expression)}`);
  return m[1].replace("{}", RUN);
}

const numbers = task("numbers", (n: number) => Array.from({ length: n }, (_, i) => i));
const square = task("square", (x: number) => x * x);
/** A Map whose list may be too long for it: its producer may spill the list (map-switch.ts). */
const switched = flow("switched", {}, () => square.map(numbers(5)));

describe("results-store layout", () => {
  it("nests a result key in its run's prefix, in its flow's", () => {
    expect(resultKey("f", RUN, "get-data", 3)).toBe(`${runPrefix("f", RUN)}get-data/3.json`);
    expect(runPrefix("f", RUN).startsWith(flowRunsPrefix("f"))).toBe(true);
  });

  it.each([
    ["a Distributed Map", everything],
    ["a switched Map", switched],
  ])("names keys under the run's prefix in %s", (_, f) => {
    const compiled = compile(f);
    const keys = [...nestedStates(compiled.definition)].flatMap(({ state }) => {
      const s = state as { ResultWriter?: { Parameters: Record<string, unknown> }; ItemReader?: { Parameters: Record<string, unknown> }; Parameters?: Record<string, unknown> };
      // A key the state names itself (an ItemReader may also read a key a task returned: a path).
      const named = [s.ResultWriter?.Parameters["Prefix.$"], s.ItemReader?.Parameters["Key.$"], s.Parameters?.["spillKey.$"]];
      return named.filter((k) => String(k).startsWith("States.Format("));
    });
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(formatted(key).startsWith(runPrefix(compiled.flow, RUN))).toBe(true);
  });
});
