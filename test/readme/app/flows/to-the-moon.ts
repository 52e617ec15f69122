import { flow, task, when, secret, rate, slack } from "stepflow";
import { z } from "zod";

/** Recent prices of `coin`, oldest first (a stand-in for a price API). */
async function fetchPrices(coin: string): Promise<number[]> {
  return coin === "DOGE" ? [0.31, 0.3, 0.24] : [1, 1, 1];
}
/** How far the last price is below the highest, in percent. */
const dip = (prices: number[]) => (100 * (Math.max(...prices) - prices[prices.length - 1])) / Math.max(...prices);

export const getData = task("get-data", { retries: 3, retryDelay: "1 minute", timeout: "30 seconds" },
  async (coin: string): Promise<number[]> => fetchPrices(coin));
export const detectDip = task("detect-dip", (prices: number[], threshold: number) => dip(prices) > threshold);
export const post = task("post-to-slack", async (webhook: string, text: string) => {
  if (webhook) await fetch(webhook, { method: "POST", body: JSON.stringify({ text }) });
});

export const toTheMoon = flow("to-the-moon", {
  params: z.object({ coin: z.string().default("DOGE"), threshold: z.number().default(10) }),
  schedules: [rate("5 minutes", { coin: "DOGE" })],
  notify: [slack(secret("slack-webhook"), { on: ["FAILED", "TIMED_OUT"] })],
}, ({ coin, threshold }) => {
  const data = getData(coin);
  const isDip = detectDip(data, threshold);
  when(isDip, () => post(secret("slack-webhook"), "There has been a dip"));
});
