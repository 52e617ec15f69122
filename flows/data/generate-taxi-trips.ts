/**
 * Writes `flows/data/taxi-trips.csv`, the sample that `flows/taxi-tips.ts` reads: one day of
 * yellow-cab trips (2024-01-15, 00:00 to 23:59) in the NYC TLC yellow-taxi column format, so the
 * flow runs offline. The rows are synthetic samples, not TLC records.
 *
 * The rows picked up between 06:00 and 11:59 are the original hand-made sample and are kept as
 * they are; the other 18 hours are generated from a fixed seed. Running the script again therefore
 * writes the same file byte for byte.
 *
 * About 6% of the rows are dirty, as TLC data is: no passenger count, zero distance, a negative
 * fare and total, or a dropoff before the pickup (the flow's `cleanTrip` drops them).
 *
 * Run it with `npx tsx flows/data/generate-taxi-trips.ts`.
 * @see https://www.nyc.gov/assets/tlc/downloads/pdf/data_dictionary_trip_records_yellow.pdf
 */
import { readFileSync, writeFileSync } from "node:fs";
import { seededRandom } from "../lib/seeded-random.ts";

const FILE = new URL("./taxi-trips.csv", import.meta.url);
const DAY = "2024-01-15";
const SEED = 20_240_115;
/** Pickup hours whose rows come from the existing file rather than the generator. */
const KEPT_HOURS = new Set(["06", "07", "08", "09", "10", "11"]);
/** Trips per pickup hour before jitter: quiet at night, peaks in the rush hours. */
const VOLUME = [
  24, 16, 12, 10, 11, 15, // 00-05
  33, 62, 48, 52, 58, 67, // 06-11, kept: these are the counts already in the file
  60, 57, 56, 54, 58, 62, // 12-17
  64, 58, 52, 46, 40, 32, // 18-23
];
/** Share of generated rows that are dirty (the kept hours have 9%). */
const DIRTY_RATE = 0.05;
/** The flat extras (taxes, surcharges) of every sample row: `total_amount` is fare + tip + this. */
const SURCHARGES = 3.5;

type Random = () => number;

const between = (random: Random, min: number, max: number) => min + random() * (max - min);
const round2 = (n: number) => Math.round(n * 100) / 100;
/** `YYYY-MM-DD HH:MM:SS`, the TLC format (the times are local; UTC here only avoids DST). */
const timestamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

/** Picks a value by weight: `weights` are `[value, weight]` pairs. */
function weighted<T>(random: Random, weights: readonly (readonly [T, number])[]): T {
  let r = random() * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of weights) if ((r -= w) < 0) return value;
  return weights[weights.length - 1][0];
}

/** Minutes per mile relative to midday traffic: empty streets at night, jams in the rush hours. */
function traffic(hour: number): number {
  if (hour < 6) return 0.75;
  if ((hour >= 7 && hour <= 9) || (hour >= 16 && hour <= 19)) return 1.2;
  return 1;
}

/** One trip before formatting: times in epoch milliseconds, `passengers` `null` when unrecorded. */
interface SampleTrip {
  readonly vendor: number;
  readonly pickup: number;
  readonly dropoff: number;
  readonly passengers: number | null;
  readonly distance: number;
  readonly payment: number;
  readonly fare: number;
  readonly tip: number;
}

/** One clean trip picked up in `hour`. */
function trip(random: Random, hour: number): SampleTrip {
  const pickup = Date.parse(`${DAY}T00:00:00Z`) + hour * 3_600_000 + Math.floor(random() * 3_600) * 1000;
  // Short hops, crosstown rides and a tail of airport runs, like the original sample.
  const distance = round2(
    weighted(random, [
      [between(random, 0.3, 1.5), 35],
      [between(random, 1.5, 6.5), 40],
      [between(random, 6.5, 12.5), 25],
    ]),
  );
  const minutes = Math.max(4, Math.round((9 + 3 * distance) * traffic(hour) + between(random, -4, 4)));
  const fare = round2(5 + 3.17 * distance + 0.28 * minutes + between(random, -1.5, 1.5));
  const payment = weighted(random, [[1, 68], [2, 32]]);
  return {
    vendor: weighted(random, [[1, 1], [2, 1]]),
    pickup,
    dropoff: pickup + minutes * 60_000,
    passengers: weighted(random, [[1, 62], [2, 14], [3, 10], [4, 10], [5, 4]]),
    distance,
    payment,
    fare,
    // Cash tips (payment_type 2) are not recorded, so they are always 0.
    tip: payment === 1 ? round2(fare * between(random, 0.1, 0.3)) : 0,
  };
}

/** Spoils a trip the way real records are spoiled; `cleanTrip` in the flow must drop it. */
function spoil(random: Random, t: SampleTrip): SampleTrip {
  switch (weighted(random, [["passengers", 9], ["distance", 13], ["fare", 6], ["clock", 2]] as const)) {
    case "passengers":
      return { ...t, passengers: null };
    case "distance":
      return { ...t, distance: 0 };
    case "fare":
      // `line` computes the total from the fare, so the total turns negative too.
      return { ...t, fare: -t.fare };
    case "clock":
      // A clock glitch: the dropoff is stamped a minute before the pickup.
      return { ...t, dropoff: t.pickup - 60_000 };
  }
}

/** A trip as a CSV line, in the column order of the header. */
function line(t: SampleTrip): string {
  const total = round2(t.fare + t.tip + SURCHARGES);
  const { vendor, pickup, dropoff, passengers, distance, payment, fare, tip } = t;
  const cells = [vendor, timestamp(pickup), timestamp(dropoff), passengers ?? "", distance, payment, fare, tip, total];
  return cells.join(",");
}

/** The generated rows of every hour not in `KEPT_HOURS`. */
function generatedRows(random: Random): string[] {
  const rows: string[] = [];
  for (const [hour, volume] of VOLUME.entries()) {
    if (KEPT_HOURS.has(String(hour).padStart(2, "0"))) continue;
    const count = Math.round(volume * between(random, 0.9, 1.1));
    for (let i = 0; i < count; i++) {
      const t = trip(random, hour);
      rows.push(line(random() < DIRTY_RATE ? spoil(random, t) : t));
    }
  }
  return rows;
}

const pickupOf = (row: string) => row.split(",")[1];

/** The header and the rows of `KEPT_HOURS` from the current file, verbatim. */
function keptRows(): { header: string; rows: string[] } {
  const [header, ...lines] = readFileSync(FILE, "utf8").trimEnd().split("\n");
  return { header, rows: lines.filter((row) => KEPT_HOURS.has(pickupOf(row).slice(11, 13))) };
}

const kept = keptRows();
const rows = [...kept.rows, ...generatedRows(seededRandom(SEED))].sort((a, b) =>
  pickupOf(a).localeCompare(pickupOf(b)),
);
const text = `${[kept.header, ...rows].join("\n")}\n`;
writeFileSync(FILE, text);
console.log(
  `wrote ${rows.length} trips (${kept.rows.length} kept) to ${FILE.pathname}, ${Buffer.byteLength(text)} bytes`,
);
