import { describe, expect, it } from "vitest";
import { isoTime } from "../../functions/private/iso-time.ts";

describe("isoTime", () => {
  it("formats each millisecond as Date#toISOString does, also when asked again or back and forth", () => {
    const times = [0, 1_764_669_000_123, 1_764_669_000_123, 1_764_669_000_124, 1_764_669_000_123, -1];
    expect(times.map(isoTime)).toStrictEqual(times.map((t) => new Date(t).toISOString()));
  });

  it("completes a remembered second with the milliseconds (padded), and leaves it for the next second, a fraction or a year past 9999", () => {
    const second = 1_764_669_001_000;
    const times = [
      second,
      second + 5,
      second + 50,
      second + 999,
      second + 1000,
      second + 1000 + 1.5,
      second + 1000 + 7,
      253_402_300_800_000,
      253_402_300_800_005,
      253_402_300_799_999,
      253_402_300_799_998,
      -1000,
      -995,
    ];
    expect(times.map(isoTime)).toStrictEqual(times.map((t) => new Date(t).toISOString()));
  });
});
