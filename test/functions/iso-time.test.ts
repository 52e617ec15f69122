import { describe, expect, it } from "vitest";
import { isoTime } from "../../functions/private/iso-time.ts";

describe("isoTime", () => {
  it("formats each millisecond as Date#toISOString does, also when asked again or back and forth", () => {
    const times = [0, 1_764_669_000_123, 1_764_669_000_123, 1_764_669_000_124, 1_764_669_000_123, -1];
    expect(times.map(isoTime)).toStrictEqual(times.map((t) => new Date(t).toISOString()));
  });
});
