import { describe, expect, it } from "vitest";
import { cron, rate, ScheduleError } from "../../sdk/index.ts";

describe("cron", () => {
  it.each([
    ["0 12 * * ? *", "cron(0 12 * * ? *)"],
    ["0/5 8-17 ? * MON-FRI *", "cron(0/5 8-17 ? * MON-FRI *)"],
    ["15 10 ? * 6L 2027-2030", "cron(15 10 ? * 6L 2027-2030)"],
    ["0 0 L * ? *", "cron(0 0 L * ? *)"],
    ["0 9 ? * 2#1 *", "cron(0 9 ? * 2#1 *)"],
    ["*/5 * * * ? *", "cron(*/5 * * * ? *)"],
    ["0 12 15W JAN-MAR,DEC ? 2027/2", "cron(0 12 15W JAN-MAR,DEC ? 2027/2)"],
    ["0 12 LW * ? *", "cron(0 12 LW * ? *)"],
    ["0 12 ? * SUN,7 *", "cron(0 12 ? * SUN,7 *)"],
  ])("accepts AWS expression %s", (expr, expression) => {
    const s = cron(expr, { coin: "BTC" });
    expect(s).toStrictEqual({
      kind: "cron",
      expression,
      params: { coin: "BTC" },
      timezone: undefined,
      enabled: true,
    });
  });

  it.each([
    ["0 12 * * *", /has 5 fields; AWS needs 6/],
    ["0 12 * * MON *", /exactly one of day-of-month and day-of-week/],
    ["0 12 ? * ? *", /exactly one of day-of-month and day-of-week/],
    ["61 12 * * ? *", /is invalid/],
    ["0 25 * * ? *", /is invalid/],
    ["0 12 * 13 ? *", /is invalid/],
    ["0 12 * * ? 99", /year `99` is invalid \(`99` is not a value in 1970-2199\)/],
    ["0 12 ? * 8 *", /day-of-week `8` is invalid \(`8` is not a value in 1-7\); use 1-7 or SUN-SAT/],
    ["0 12 ? * 0 *", /day-of-week `0` is invalid/],
    ["0 12 ? * 1/2 *", /day-of-week `1\/2` is invalid \(this field takes no `\/` increments\)/],
    ["0 12 ? * 3#6 *", /day-of-week `3#6` is invalid/],
    ["0 ? * * ? *", /hours `\?` is invalid \(only day-of-month or day-of-week can be `\?`\)/],
    ["0 12 32W * ? *", /day-of-month `32W` is invalid/],
    ["0/0 12 * * ? *", /minutes `0\/0` is invalid \(increment `0` is not a whole number >= 1\)/],
    ["0 12 * * ? 1969", /year `1969` is invalid/],
  ])("rejects %s with a message naming the problem", (expr, message) => {
    expect(() => cron(expr)).toThrow(ScheduleError);
    expect(() => cron(expr)).toThrow(message);
  });

  it("validates the time zone, which selects EventBridge Scheduler", () => {
    expect(cron("0 8 * * ? *", {}, { timezone: "Europe/Paris" }).timezone).toBe("Europe/Paris");
    expect(() => cron("0 8 * * ? *", {}, { timezone: "Mars/Base" })).toThrow(
      /time zone `Mars\/Base` .* is unknown/,
    );
  });
});

describe("rate", () => {
  it.each([
    ["5 minutes", "rate(5 minutes)"],
    [60, "rate(1 minute)"],
    ["2 hours", "rate(2 hours)"],
    ["1 day", "rate(1 day)"],
    ["90 minutes", "rate(90 minutes)"],
  ])("renders %s as %s", (every, expression) => {
    expect(rate(every).expression).toBe(expression);
  });

  it("rejects rates EventBridge cannot run", () => {
    expect(() => rate("30s")).toThrow(/at least 1 minute/);
    expect(() => rate("90s")).toThrow(/whole number of minutes/);
  });
});
