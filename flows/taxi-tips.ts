/**
 * Taxi tips (the classic Prefect "mapped ETL with flaky tasks" example): split a day of yellow-cab
 * trips into hourly chunks, clean each chunk with a task that fails at random (`failureRate`, 20%
 * by default, retried up to 5 times) and find each hour's best-tipping trip. Slack hears about every
 * finished run, successful or not.
 *
 * Run it with `npx stepflow run flows/taxi-tips.ts` (the sample `flows/data/taxi-trips.csv`, about
 * 1,000 synthetic trips in the TLC format over all of 2024-01-15, so 24 hourly chunks; written by
 * `flows/data/generate-taxi-trips.ts`) or `--param source=<url of a CSV with the same columns>`.
 * Tests make the failures deterministic with `useRandom(seededRandom(seed))`.
 */
import { flow, secret, slack, task, unmapped } from "stepflow";
import { z } from "zod";
import { type CsvRecord, parseCsv } from "./lib/csv.ts";
import { groupBy } from "./lib/group-by.ts";
import { readSource, SAMPLE } from "./lib/source.ts";

/** Seeded randomness for `useRandom`, so tests and the bench fail the same chunks every run. */
export { seededRandom } from "./lib/seeded-random.ts";

/** One hour of raw trips: `hour` is the pickup hour, `YYYY-MM-DD HH`. */
export interface Chunk {
  readonly hour: string;
  readonly rows: CsvRecord[];
}

/** A clean trip. */
export interface Trip {
  readonly pickup: string;
  readonly dropoff: string;
  readonly passengers: number;
  readonly distance: number;
  readonly fare: number;
  readonly tip: number;
  readonly total: number;
}

/** The best-tipping trip of one hour. */
export interface HourBest {
  readonly hour: string;
  /** Clean trips in the hour. */
  readonly trips: number;
  /** Trips dropped by cleaning. */
  readonly dropped: number;
  /** The trip with the highest tip relative to its fare; `null` when no trip is clean. */
  readonly best: Trip | null;
  /** Its tip in percent of the fare, rounded to 0.1. */
  readonly tipPercent: number;
}

/** The error `clean-chunk` throws when the simulated flakiness strikes. */
export class FlakyError extends Error {
  override name = "FlakyError";
}

let random: () => number = Math.random;

/**
 * Replaces the randomness behind `clean-chunk`'s simulated failures (tests); returns a function
 * that puts the previous one back.
 */
export function useRandom(next: () => number): () => void {
  const previous = random;
  random = next;
  return () => {
    random = previous;
  };
}

/** The trips of `source` grouped by pickup hour, in hour order. */
export const splitByHour = task(
  "split-by-hour",
  { retries: 2, retryDelay: "10 seconds", timeout: "1 minute" },
  async (source: string): Promise<Chunk[]> => {
    const rows = parseCsv(await readSource(source, new URL("./data/taxi-trips.csv", import.meta.url)));
    const hours = groupBy(rows, (row) => (row.tpep_pickup_datetime ?? "").slice(0, 13));
    return [...hours.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([hour, r]) => ({ hour, rows: r }));
  },
);

/** A trip parsed from a row, or `undefined` when the row is dirty (negative fare, no passengers...). */
export function cleanTrip(row: CsvRecord): Trip | undefined {
  const num = (v: string | undefined) => (v === undefined || v.trim() === "" ? Number.NaN : Number(v));
  const trip: Trip = {
    pickup: row.tpep_pickup_datetime,
    dropoff: row.tpep_dropoff_datetime,
    passengers: num(row.passenger_count),
    distance: num(row.trip_distance),
    fare: num(row.fare_amount),
    tip: num(row.tip_amount),
    total: num(row.total_amount),
  };
  const ok =
    trip.passengers >= 1 &&
    trip.distance > 0 &&
    trip.fare > 0 &&
    trip.tip >= 0 &&
    trip.total > 0 &&
    Date.parse(trip.dropoff) > Date.parse(trip.pickup);
  return ok ? trip : undefined;
}

/** Cleans one hour of trips; fails at random with probability `failureRate`, like a flaky source. */
export const cleanChunk = task(
  "clean-chunk",
  { retries: 5, retryDelay: "2s", maxConcurrency: 12 },
  (chunk: Chunk, failureRate: number) => {
    if (random() < failureRate) {
      throw new FlakyError(
        `cleaning hour ${chunk.hour} failed at random (failureRate ${failureRate}); retrying`,
      );
    }
    const trips = chunk.rows.map(cleanTrip).filter((t): t is Trip => t !== undefined);
    return { hour: chunk.hour, trips, dropped: chunk.rows.length - trips.length };
  },
);

/** The trip with the highest tip relative to its fare (the first one on ties). */
export const bestTip = task(
  "best-tip",
  (clean: { hour: string; trips: Trip[]; dropped: number }): HourBest => {
    let best: Trip | null = null;
    for (const t of clean.trips) if (!best || t.tip / t.fare > best.tip / best.fare) best = t;
    const tipPercent = best ? Math.round((best.tip / best.fare) * 1000) / 10 : 0;
    return { hour: clean.hour, trips: clean.trips.length, dropped: clean.dropped, best, tipPercent };
  },
);

export const taxiTips = flow(
  "taxi-tips",
  {
    params: z.object({
      source: z.string().default(SAMPLE),
      failureRate: z.number().min(0).max(1).default(0.2),
    }),
    notify: [slack(secret("slack-webhook"), { on: ["SUCCEEDED", "FAILED"] })],
    description:
      "Finds the best-tipping taxi trip of every hour, cleaning hourly chunks with flaky, retried tasks.",
  },
  ({ source, failureRate }) => {
    // A chained map: one Map state whose iteration cleans an hour, then picks its best tip.
    const cleaned = cleanChunk.map(splitByHour(source), unmapped(failureRate));
    return bestTip.map(cleaned);
  },
);
