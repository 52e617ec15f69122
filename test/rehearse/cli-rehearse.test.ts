import { describe, expect, it } from "vitest";
import { cli } from "../support/cli.ts";

describe("stepflow rehearse", () => {
  it("rejects an unknown flow with exit 2 before deploying anything", async () => {
    const r = await cli(["rehearse", "flows/etl.ts", "--flow", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no flow `nope`; its flows are `etl`, `etl-months`/);
    expect(r.stderr).not.toMatch(/deploying/);
  });

  it("rejects bad parameters with exit 2, naming the field, before deploying anything", async () => {
    const r = await cli(["rehearse", "flows/crypto-dip.ts", "--param", "threshold=-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/`threshold`/);
    expect(r.stderr).not.toMatch(/deploying/);
  });
});
