import { expect, it, vi } from "vitest";
import { override, runFlow } from "stepflow/testing";
import { cryptoDip, getData, postToSlack } from "../flows/crypto-dip.ts";

it("posts to Slack when the price dips", async () => {
  const post = vi.fn(async (_webhook: string, coin: string) => ({ posted: true, text: coin }));
  const run = await runFlow(cryptoDip, { coin: "BTC", threshold: 10 }, {
    overrides: [override(getData, async () => [[0, 100], [3_600_000, 80]]), override(postToSlack, post)],
    secrets: { "slack-webhook": "https://hooks.example/T1" },
  });
  expect(run.status).toBe("SUCCEEDED");
  expect(run.result).toBe(true);
  expect(run.order()).toStrictEqual(["get-data", "detect-dip", "post-to-slack"]);
  expect(run.attempts(getData)).toBe(1);
  expect(post).toHaveBeenCalledWith("https://hooks.example/T1", "BTC", expect.any(Array));
});
