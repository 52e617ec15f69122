/**
 * The examples' `auto` source: the shipped sample on this machine, the real source in Lambda
 * (the runtime sets AWS_LAMBDA_FUNCTION_NAME), so a deployed run never reports sample data.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { getData } from "../../flows/crypto-dip.ts";
import { fetchPrices } from "../../flows/crypto-dip-many.ts";
import fixture from "../../flows/data/prices.json" with { type: "json" };
import { downloadOhlc } from "../../flows/market-data.ts";

const DAILY_CSV = "Date,Open,High,Low,Close,Volume\n2025-05-01,1,2,0.5,1.5,100\n2025-05-02,1.5,2,1,1.8,120\n";

/** A fetch stand-in answering `body` and recording the URLs asked for. */
function stubFetch(body: (url: string) => Response): string[] {
  const urls: string[] = [];
  vi.stubGlobal("fetch", async (url: string | URL) => {
    urls.push(String(url));
    return body(String(url));
  });
  return urls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe("source `auto`", () => {
  it("reads the shipped samples on this machine, without the network", async () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "");
    const urls = stubFetch(() => new Response("unexpected", { status: 500 }));
    expect(await getData.fn("DOGE", "auto")).toStrictEqual(fixture.prices.DOGE);
    expect(await fetchPrices.fn("ETH", "auto")).toStrictEqual({ coin: "ETH", prices: fixture.prices.ETH });
    const series = await downloadOhlc.fn("AAPL", "auto");
    expect(series.bars).toHaveLength(62);
    expect(urls).toStrictEqual([]);
  });

  it("reads CoinGecko and Stooq when deployed", async () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "stepflow-crypto-dip-get-data");
    const urls = stubFetch((url) =>
      url.includes("coingecko")
        ? Response.json({ prices: [[1, 10], [2, 8]] })
        : new Response(DAILY_CSV, { headers: { "content-type": "text/csv" } }),
    );
    expect(await getData.fn("DOGE", "auto")).toStrictEqual([[1, 10], [2, 8]]);
    expect(await fetchPrices.fn("ETH", "auto")).toStrictEqual({ coin: "ETH", prices: [[1, 10], [2, 8]] });
    const series = await downloadOhlc.fn("AAPL", "auto");
    expect(series.asOf).toBe("2025-05-02");
    expect(urls).toStrictEqual([
      "https://api.coingecko.com/api/v3/coins/dogecoin/market_chart?vs_currency=usd&days=1",
      "https://api.coingecko.com/api/v3/coins/ethereum/market_chart?vs_currency=usd&days=1",
      "https://stooq.com/q/d/l/?s=aapl.us&i=d",
    ]);
  });

  it("leaves an explicit source alone wherever it runs", async () => {
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "stepflow-crypto-dip-get-data");
    const urls = stubFetch(() => new Response("unexpected", { status: 500 }));
    expect(await getData.fn("BTC", "fixture")).toStrictEqual(fixture.prices.BTC);
    expect(await fetchPrices.fn("BTC", "fixture")).toStrictEqual({ coin: "BTC", prices: fixture.prices.BTC });
    await expect(fetchPrices.fn("SOL", "fixture")).rejects.toThrow(/`SOL` is not in flows\/data\/prices.json; use one of DOGE, BTC, ETH/);
    expect(urls).toStrictEqual([]);
  });
});
