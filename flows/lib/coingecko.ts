/**
 * Coin prices for the crypto dip examples: CoinGecko's `market_chart` API (or a server with the
 * same API), or the made-up fixture `flows/data/prices.json` (bundled, so it needs no file).
 */
import { NonRetriableError } from "stepflow";
import fixture from "../data/prices.json" with { type: "json" };
import { throwUnlessOk } from "./source.ts";

/** A price point: [epoch milliseconds, price in USD], as CoinGecko's `market_chart` returns them. */
export type Price = [number, number];

/** CoinGecko's public API. */
export const COINGECKO = "https://api.coingecko.com/api/v3";

/** The value of a price source that means "the fixture". */
export const FIXTURE = "fixture";

const IDS: Readonly<Record<string, string>> = {
  BTC: "bitcoin",
  ETH: "ethereum",
  DOGE: "dogecoin",
  SOL: "solana",
  ADA: "cardano",
};

/** Prices of `coin` over the last 24 hours from the fixture. */
export function fixturePrices(coin: string): Price[] {
  const prices = (fixture.prices as Record<string, number[][]>)[coin] as Price[] | undefined;
  if (!prices) {
    throw new NonRetriableError(
      `coin \`${coin}\` is not in flows/data/prices.json; use one of ${Object.keys(fixture.prices).join(", ")}, or live prices from CoinGecko`,
    );
  }
  return prices;
}

/**
 * Prices of `coin` over the last 24 hours from a CoinGecko-compatible API at `api`. A 4xx answer
 * (other than 429, rate limited) is not retried: asking again will not fix it.
 */
export async function marketChart(coin: string, api: string = COINGECKO): Promise<Price[]> {
  const id = IDS[coin] ?? coin.toLowerCase();
  const url = `${api}/coins/${encodeURIComponent(id)}/market_chart?vs_currency=usd&days=1`;
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const answered = `\`${url}\` answered ${response.status} for coin \`${coin}\``;
  throwUnlessOk(response, {
    rejected: `${answered} (id \`${id}\`); check the coin symbol`,
    failed: `${answered}; retrying`,
  });
  return ((await response.json()) as { prices: Price[] }).prices;
}

/** Prices of `coin` from `source`: the fixture, or a CoinGecko-compatible API's base URL. */
export function coinPrices(coin: string, source: string): Promise<Price[]> | Price[] {
  return source === FIXTURE ? fixturePrices(coin) : marketChart(coin, source);
}
