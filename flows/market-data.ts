/**
 * Market data (the classic Prefect "S&P 500" example): get an index's composition, then for each
 * symbol, depth-first in one Map: download its daily OHLC bars (retries, timeout), resample them to
 * weekly and monthly bars, and save each as a Parquet file in the results store. Returns the keys
 * of the files written.
 *
 * Run it with `npx stepflow run flows/market-data.ts` (the 30 Dow Jones Industrial Average
 * components), or `--param indexName=MEGA-3` for a quicker run over three symbols.
 * - Composition: `flows/data/market/indexes.json` (bundled into the task): `DJIA` (the default, as
 *   of Nov 2024), `SP500-SAMPLE` and `MEGA-3`.
 * - Daily bars: `source` defaults to `auto`: the sample CSVs in `flows/data/market/` on this
 *   machine (no network; synthetic Jan-Mar 2024 bars, `generate-sample.ts` there writes missing
 *   ones), Stooq's `https://stooq.com/q/d/l/?s={symbol}.us&i=d` when deployed. Pass `source` as
 *   `sample` or as a URL template with `{symbol}` to choose.
 * - Files: `runs/market-data/files/<index>/<last day>/<symbol>.<week|month>.parquet` in the results
 *   bucket on AWS (expired with the run results), under `.stepflow/results/` locally.
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import { cron, flow, NonRetriableError, task, unmapped } from "stepflow";
import { z } from "zod";
import indexes from "./data/market/indexes.json" with { type: "json" };
import { parseCsv } from "./lib/csv.ts";
import { resultFiles } from "./lib/result-files.ts";
import { AUTO, readSource, resolveAuto, SAMPLE } from "./lib/source.ts";

/** One bar: a day's, a week's or a month's open, high, low, close and volume. */
export interface Bar {
  /** The first trading day of the bar, `YYYY-MM-DD`. */
  readonly date: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A symbol's bars of one period. */
export interface Series {
  readonly symbol: string;
  readonly period: Period;
  /** The last trading day the bars include. */
  readonly asOf: string;
  readonly bars: Bar[];
}

/** What bars cover. */
export type Period = "day" | "week" | "month";

const STOOQ = "https://stooq.com/q/d/l/?s={symbol}.us&i=d";
const COMPOSITIONS: Readonly<Record<string, readonly string[]>> = indexes;

/** The symbols of `index` (from `flows/data/market/indexes.json`). */
export const getComposition = task("get-composition", (index: string): string[] => {
  const symbols = COMPOSITIONS[index];
  if (!symbols) {
    throw new NonRetriableError(
      `index \`${index}\` is not in flows/data/market/indexes.json; use one of ${Object.keys(COMPOSITIONS).join(", ")}`,
    );
  }
  return [...symbols];
});

/**
 * Daily bars of `symbol`: the sample CSV, or `source` with `{symbol}` replaced (Stooq's CSV format);
 * `auto` is the sample locally and Stooq when deployed.
 */
export const downloadOhlc = task(
  "download-ohlc",
  { retries: 3, retryDelay: "30 seconds", timeout: "1 minute", maxConcurrency: 10 },
  async (symbol: string, source: string): Promise<Series> => {
    const sample = new URL(`./data/market/${symbol.toLowerCase()}.us.csv`, import.meta.url);
    const from = resolveAuto(source, SAMPLE, STOOQ);
    const url = from.replaceAll("{symbol}", encodeURIComponent(symbol.toLowerCase()));
    const bars = parseCsv(await readSource(url, sample)).map((r) => ({
      date: r.Date,
      open: Number(r.Open),
      high: Number(r.High),
      low: Number(r.Low),
      close: Number(r.Close),
      volume: Number(r.Volume),
    }));
    if (bars.length === 0 || bars.some((b) => !/^\d{4}-\d{2}-\d{2}$/.test(b.date) || Number.isNaN(b.close))) {
      throw new NonRetriableError(
        `daily bars of \`${symbol}\` from \`${url}\` are not Date,Open,High,Low,Close,Volume CSV`,
      );
    }
    bars.sort((a, b) => a.date.localeCompare(b.date));
    return { symbol, period: "day", asOf: bars[bars.length - 1].date, bars };
  },
);

/** The start of the week (Monday) or month that `date` (`YYYY-MM-DD`) falls in. */
export function periodStart(date: string, period: "week" | "month"): string {
  if (period === "month") return `${date.slice(0, 7)}-01`;
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/** Daily bars merged into weekly or monthly ones (open of the first day, close of the last...). */
export function resampleBars(daily: readonly Bar[], period: "week" | "month"): Bar[] {
  const out: Bar[] = [];
  let key = "";
  for (const b of daily) {
    const k = periodStart(b.date, period);
    const last = out.at(-1);
    if (last && k === key) {
      out[out.length - 1] = {
        ...last,
        high: Math.max(last.high, b.high),
        low: Math.min(last.low, b.low),
        close: b.close,
        volume: last.volume + b.volume,
      };
    } else {
      key = k;
      out.push({ ...b });
    }
  }
  return out;
}

export const resample = task(
  "resample",
  (daily: Series, period: "week" | "month"): Series => ({
    ...daily,
    period,
    bars: resampleBars(daily.bars, period),
  }),
);

/** Writes `series` as a Parquet file into the results store; returns its key. */
export const saveParquet = task("save-parquet", async (series: Series, index: string): Promise<string> => {
  const { bars } = series;
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "date", data: bars.map((b) => new Date(`${b.date}T00:00:00Z`)), type: "TIMESTAMP" },
      { name: "open", data: bars.map((b) => b.open), type: "DOUBLE" },
      { name: "high", data: bars.map((b) => b.high), type: "DOUBLE" },
      { name: "low", data: bars.map((b) => b.low), type: "DOUBLE" },
      { name: "close", data: bars.map((b) => b.close), type: "DOUBLE" },
      { name: "volume", data: bars.map((b) => BigInt(b.volume)), type: "INT64" },
    ],
    kvMetadata: [{ key: "symbol", value: series.symbol }],
  });
  const key = `runs/market-data/files/${index}/${series.asOf}/${series.symbol}.${series.period}.parquet`;
  await resultFiles().put(key, new Uint8Array(buffer), "application/vnd.apache.parquet");
  return key;
});

export const listKeys = task("list-keys", (weekly: string[], monthly: string[]) => [...weekly, ...monthly]);

export const marketData = flow(
  "market-data",
  {
    params: z.object({
      // Not `index`: Map iterations carry their item index under that name.
      indexName: z.string().default("DJIA"),
      source: z.string().default(AUTO),
    }),
    // After the US close on weekdays (AWS six-field cron, UTC).
    schedules: [cron("30 22 ? * MON-FRI *", { source: STOOQ }, { enabled: false })],
    description: "Saves weekly and monthly OHLC bars of an index's symbols as Parquet files.",
  },
  ({ indexName, source }) => {
    // One Map state: each symbol's iteration downloads, resamples twice and saves both files.
    const daily = downloadOhlc.map(getComposition(indexName), unmapped(source));
    const weekly = saveParquet.map(resample.map(daily, unmapped("week")), unmapped(indexName));
    const monthly = saveParquet.map(resample.map(daily, unmapped("month")), unmapped(indexName));
    return listKeys(weekly, monthly);
  },
);
