import { createServer, type Server } from "node:http";
import { runLocal } from "stepflow/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoDipMany, type Price } from "../../flows/crypto-dip-many.ts";
import { close, listen, startWebhookRecorder, type WebhookRecorder } from "../support/http-stubs.ts";
import { tempDir } from "../support/temp-dir.ts";

/** 24 hourly prices that end `dip` percent below a high of `high`. */
function series(high: number, dip: number): Price[] {
  const start = Date.UTC(2024, 0, 15);
  return Array.from({ length: 24 }, (_, h) => {
    const price = h === 23 ? high * (1 - dip / 100) : h === 12 ? high : high * 0.97;
    return [start + h * 3_600_000, price];
  });
}

const PRICES: Record<string, Price[]> = {
  bitcoin: series(50_000, 15),
  ethereum: series(3_000, 2),
  dogecoin: series(0.1, 0),
};

let api: Server;
let apiUrl: string;
let slack: WebhookRecorder;
const requests: string[] = [];
const dir = tempDir("stepflow-crypto-many-");
/** The Slack messages posted, parsed. */
const slackPosts = () => slack.posts.map((p) => JSON.parse(p.body) as { text: string });

beforeAll(async () => {
  // A CoinGecko stand-in: bitcoin's first request of each run fails with 503, to exercise retries.
  api = createServer((req, res) => {
    const id = /^\/coins\/([^/]+)\/market_chart/.exec(req.url ?? "")?.[1] ?? "";
    requests.push(id);
    const prices = PRICES[id];
    if (!prices) return void res.writeHead(404).end();
    if (id === "bitcoin" && requests.filter((r) => r === id).length % 2 === 1) {
      return void res.writeHead(503).end();
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ prices }));
  });
  [apiUrl, slack] = await Promise.all([listen(api), startWebhookRecorder()]);
});

afterAll(async () => {
  await Promise.all([close(api), slack.stop()]);
});

describe("crypto-dip-many", () => {
  it("maps over coins with retries and posts one Slack message naming only the coins that dipped", async () => {
    slack.posts.length = 0;
    const run = await runLocal(
      cryptoDipMany,
      { coins: ["BTC", "ETH", "DOGE"], threshold: 10, api: apiUrl },
      { dir, fastRetries: true, secrets: { "slack-webhook": `${slack.url}/hook` } },
    );

    expect(run.status).toBe("SUCCEEDED");
    expect(run.result?.map((d) => [d.coin, d.dipped])).toStrictEqual([
      ["BTC", true],
      ["ETH", false],
      ["DOGE", false],
    ]);
    expect(run.result?.[0].percent).toBeCloseTo(15, 5);
    expect(run.result?.[1].percent).toBeCloseTo(2, 5);
    const btc = run.tasks.filter((t) => t.task === "fetch-prices" && t.mapIndex === 0);
    expect(btc.map((t) => t.status)).toStrictEqual(["FAILED", "SUCCEEDED"]);
    expect(slack.posts.map((p) => p.path)).toStrictEqual(["/hook"]);
    expect(slackPosts()[0].text).toMatch(/BTC is at \$42500, 15% below/);
    expect(slackPosts()[0].text).not.toMatch(/ETH|DOGE/);
  });

  it("posts nothing when no coin dips past the threshold", async () => {
    slack.posts.length = 0;
    const run = await runLocal(
      cryptoDipMany,
      { coins: ["ETH", "DOGE"], threshold: 5, api: apiUrl },
      { dir, fastRetries: true, secrets: { "slack-webhook": `${slack.url}/hook` } },
    );

    expect(run.status).toBe("SUCCEEDED");
    expect(run.result?.every((d) => !d.dipped)).toBe(true);
    expect(run.tasks.some((t) => t.task === "post-dips")).toBe(false);
    expect(slack.posts).toHaveLength(0);
  });

  it("fails the run without retrying when the API does not know a coin", async () => {
    const run = await runLocal(cryptoDipMany, { coins: ["NOPE"], api: apiUrl }, { dir, fastRetries: true });

    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "NonRetriableError", task: "fetch-prices" });
    expect(run.tasks.filter((t) => t.task === "fetch-prices")).toHaveLength(1);
  });
});
