import { describe, expect, it } from "vitest";
import { planFlow } from "../../sdk/cli/private/plan-model.ts";
import { squares, sumOfSquares } from "../fixtures/local-flows.ts";

describe("planFlow", () => {
  it("counts a subflow's transitions in its parent's: its two states plus the child's run", () => {
    const child = planFlow(squares, 100).transitions;
    expect(child).toBe(102);
    expect(planFlow(sumOfSquares, 100).transitions).toBe(2 + child);
  });
});
