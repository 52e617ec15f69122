/**
 * Writes the sample daily-bar CSVs of `flows/data/market/` that are missing: one
 * `<symbol>.us.csv` (Stooq's `Date,Open,High,Low,Close,Volume` format) for each symbol of
 * `indexes.json` that has no file yet. Existing files are never overwritten.
 *
 * The data are SYNTHETIC samples for offline runs of `flows/market-data.ts`, not market data:
 * a geometric random walk from a plausible start price, seeded from the symbol so every run
 * writes the same bytes. Trading days are those of `aapl.us.csv`, so all samples line up.
 *
 * Run it with `npx tsx flows/data/market/generate-sample.ts` after adding symbols to an index.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseCsv, toCsv } from "../../lib/csv.ts";
import { seededRandom } from "../../lib/seeded-random.ts";
import indexes from "./indexes.json" with { type: "json" };

/** Start price (USD, near early 2024, split-adjusted) and typical daily volume of each symbol. */
const START: Readonly<Record<string, { readonly price: number; readonly volume: number }>> = {
  AMGN: { price: 288.5, volume: 2_600_000 },
  AXP: { price: 187.4, volume: 3_400_000 },
  BA: { price: 260.1, volume: 8_500_000 },
  CAT: { price: 295.7, volume: 3_000_000 },
  CRM: { price: 262.8, volume: 5_500_000 },
  CSCO: { price: 50.2, volume: 18_000_000 },
  CVX: { price: 149.3, volume: 8_000_000 },
  DIS: { price: 90.3, volume: 10_500_000 },
  GS: { price: 385.8, volume: 2_400_000 },
  HD: { price: 346.6, volume: 3_600_000 },
  HON: { price: 209.7, volume: 3_200_000 },
  IBM: { price: 163.6, volume: 4_800_000 },
  JNJ: { price: 156.7, volume: 7_000_000 },
  JPM: { price: 170.1, volume: 9_000_000 },
  KO: { price: 59.0, volume: 13_000_000 },
  MCD: { price: 296.5, volume: 3_100_000 },
  MMM: { price: 109.3, volume: 4_000_000 },
  MRK: { price: 109.0, volume: 8_000_000 },
  NKE: { price: 108.6, volume: 10_000_000 },
  PG: { price: 146.5, volume: 7_000_000 },
  SHW: { price: 311.9, volume: 1_600_000 },
  TRV: { price: 190.5, volume: 1_500_000 },
  UNH: { price: 526.5, volume: 3_500_000 },
  V: { price: 260.3, volume: 6_500_000 },
  VZ: { price: 37.7, volume: 20_000_000 },
  WMT: { price: 52.4, volume: 18_000_000 },
};
/** Daily volatility of the close (log return) and largest overnight gap. */
const SIGMA = 0.014;
const GAP = 0.004;
const COLUMNS = ["Date", "Open", "High", "Low", "Close", "Volume"];

/** FNV-1a hash of `text`, the PRNG seed of a symbol. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** Rounds to cents; rounding is monotonic, so it keeps low <= open, close <= high. */
const cents = (x: number) => Math.round(x * 100) / 100;

/** Synthetic daily bars of `symbol` on `days`, as CSV text. */
function sampleCsv(symbol: string, days: readonly string[]): string {
  const start = START[symbol];
  if (!start) {
    throw new Error(`symbol \`${symbol}\` has no sample file and no start price; add it to \`START\` in generate-sample.ts`);
  }
  const random = seededRandom(fnv1a(symbol));
  // Box-Muller; 1 - random() is in (0, 1], so the log is finite.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let close = start.price;
  const rows = days.map((date) => {
    const open = cents(close * (1 + GAP * (2 * random() - 1)));
    const r = SIGMA * normal();
    close = cents(open * Math.exp(r));
    const high = cents(Math.max(open, close) * (1 + (SIGMA / 2) * random()));
    const low = cents(Math.min(open, close) * (1 - (SIGMA / 2) * random()));
    const volume = Math.round(start.volume * (0.6 + 0.8 * random()) * (1 + 10 * Math.abs(r)));
    const [o, h, l, c] = [open, high, low, close].map((x) => x.toFixed(2));
    return { Date: date, Open: o, High: h, Low: l, Close: c, Volume: String(volume) };
  });
  return toCsv(rows, COLUMNS);
}

function main(): void {
  const dir = new URL("./", import.meta.url);
  const days = parseCsv(readFileSync(new URL("aapl.us.csv", dir), "utf8")).map((r) => r.Date);
  const symbols = [...new Set(Object.values(indexes).flat())].sort();
  for (const symbol of symbols) {
    const file = new URL(`${symbol.toLowerCase()}.us.csv`, dir);
    if (existsSync(file)) continue;
    // `wx` fails rather than overwrite a file that appeared meanwhile.
    writeFileSync(file, sampleCsv(symbol, days), { flag: "wx" });
    console.log(`wrote ${file.pathname}`);
  }
}

main();
