/**
 * ETL (the classic Prefect ETL example): extract a month of orders from a CSV (cached for a day,
 * keyed on the inputs), transform them (amounts to USD, countries upper-cased, invalid rows
 * dropped) and load them into a PostgreSQL table, idempotently (upsert by order id). The parent
 * flow `etl-months` runs the `etl` subflow for each month of the first quarter of 2024.
 *
 * Run it with `npx stepflow run flows/etl.ts --flow etl --param month=2024-02` or
 * `npx stepflow run flows/etl.ts --flow etl-months`.
 * - Data: by default the sample CSVs `flows/data/orders/<month>.csv`; pass `source` as a URL
 *   template with `{month}` for another server.
 * - Database: the connection string is the secret `postgres-url` (`STEPFLOW_SECRET_POSTGRES_URL`
 *   locally, Secrets Manager on AWS), e.g. `postgres://user:password@127.0.0.1:5432/shop`.
 */
import { flow, NonRetriableError, secret, task } from "stepflow";
import { z } from "zod";
import { type CsvRecord, parseCsv } from "./lib/csv.ts";
import { readSource, SAMPLE } from "./lib/source.ts";

/** An order as it is loaded: amounts in the order's currency and in USD. */
export interface Order {
  readonly orderId: number;
  readonly orderedAt: string;
  readonly customer: string;
  /** ISO 3166 alpha-2, upper case. */
  readonly country: string;
  readonly amount: number;
  readonly currency: string;
  readonly amountUsd: number;
}

/** What `load` did. */
export interface LoadResult {
  readonly month: string;
  readonly table: string;
  /** Rows inserted or updated. */
  readonly rows: number;
}

/** USD per unit of each currency the sample uses (fixed, so loads are reproducible). */
export const USD_RATES: Readonly<Record<string, number>> = { USD: 1, EUR: 1.09, GBP: 1.27 };

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const TABLE = /^[a-z_][a-z0-9_]{0,62}$/;

/** The raw rows of `month`: the sample CSV, or `source` with `{month}` replaced. Cached for a day. */
export const extract = task(
  "extract",
  { cache: { expiresIn: "1 day" }, retries: 2, retryDelay: "30 seconds", timeout: "1 minute" },
  async (month: string, source: string): Promise<CsvRecord[]> => {
    const sample = new URL(`./data/orders/${month}.csv`, import.meta.url);
    return parseCsv(await readSource(source.replaceAll("{month}", month), sample));
  },
);

/** An order from a raw row, or `undefined` when the row is invalid (no amount, unknown currency...). */
export function toOrder(row: CsvRecord, month: string): Order | undefined {
  const orderId = Number(row.order_id);
  const amount = row.amount?.trim() ? Number(row.amount) : Number.NaN;
  const rate = USD_RATES[row.currency?.toUpperCase() ?? ""];
  const orderedAt = new Date(row.ordered_at ?? "");
  const valid =
    Number.isInteger(orderId) &&
    amount > 0 &&
    rate !== undefined &&
    !Number.isNaN(orderedAt.getTime()) &&
    orderedAt.toISOString().startsWith(month) &&
    /^[a-z]{2}$/i.test(row.country ?? "");
  if (!valid) return undefined;
  return {
    orderId,
    orderedAt: orderedAt.toISOString(),
    customer: row.customer.trim(),
    country: row.country.toUpperCase(),
    amount,
    currency: row.currency.toUpperCase(),
    amountUsd: Math.round(amount * rate * 100) / 100,
  };
}

export const transform = task("transform", (rows: CsvRecord[], month: string): Order[] =>
  rows.map((r) => toOrder(r, month)).filter((o): o is Order => o !== undefined),
);

function createTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS "${table}" (
    order_id integer PRIMARY KEY, ordered_at timestamptz NOT NULL, customer text NOT NULL,
    country char(2) NOT NULL, amount numeric(12, 2) NOT NULL, currency char(3) NOT NULL,
    amount_usd numeric(12, 2) NOT NULL, month char(7) NOT NULL)`;
}

/** Inserts `$1` (a JSON array of orders) of month `$2`, replacing rows with the same order id. */
function upsertSql(table: string): string {
  return `INSERT INTO "${table}" (order_id, ordered_at, customer, country, amount, currency, amount_usd, month)
    SELECT "orderId", "orderedAt", customer, country, amount, currency, "amountUsd", $2
    FROM json_to_recordset($1::json) AS o("orderId" integer, "orderedAt" timestamptz, customer text,
      country text, amount numeric, currency text, "amountUsd" numeric)
    ON CONFLICT (order_id) DO UPDATE SET ordered_at = excluded.ordered_at, customer = excluded.customer,
      country = excluded.country, amount = excluded.amount, currency = excluded.currency,
      amount_usd = excluded.amount_usd, month = excluded.month`;
}

/** Upserts `orders` into `table` (created when missing) in one transaction. */
export const load = task(
  "load",
  { retries: 2, retryDelay: "10 seconds", timeout: "1 minute" },
  async (url: string, table: string, month: string, orders: Order[]): Promise<LoadResult> => {
    if (!TABLE.test(table)) {
      throw new NonRetriableError(
        `table name \`${table}\` is not allowed; use lower-case letters, digits and \`_\``,
      );
    }
    if (url === "") {
      throw new NonRetriableError(
        "secret `postgres-url` is empty; set it to a connection string such as postgres://user:password@host:5432/db",
      );
    }
    // Imported here so only the `load` Lambda bundles the driver (it is CommonJS, never tree-shaken).
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("BEGIN");
      // Months load in parallel: the lock keeps concurrent CREATE TABLE IF NOT EXISTS from racing.
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [table]);
      await client.query(createTableSql(table));
      // One statement: the rows travel as a JSON array and become a record set on the server.
      const result =
        orders.length > 0 ? await client.query(upsertSql(table), [JSON.stringify(orders), month]) : undefined;
      await client.query("COMMIT");
      return { month, table, rows: result?.rowCount ?? 0 };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      await client.end();
    }
  },
);

const tableParam = z.string().regex(TABLE, "lower-case letters, digits and `_`").default("orders");

export const etl = flow(
  "etl",
  {
    params: z.object({
      month: z.string().regex(MONTH, "a month as YYYY-MM"),
      source: z.string().default(SAMPLE),
      table: tableParam,
    }),
    description: "Loads a month of orders, in USD, into a PostgreSQL table.",
  },
  ({ month, source, table }) => {
    const orders = transform(extract(month, source), month);
    return load(secret("postgres-url"), table, month, orders);
  },
);

/** The months `etl-months` loads. */
export const MONTHS = ["2024-01", "2024-02", "2024-03"] as const;

export const summarize = task("summarize", (...loads: LoadResult[]) => ({
  months: loads.map((l) => l.month),
  rows: loads.reduce((sum, l) => sum + l.rows, 0),
}));

export const etlMonths = flow(
  "etl-months",
  {
    params: z.object({ source: z.string().default(SAMPLE), table: tableParam }),
    description: "Runs the `etl` subflow for each month of 2024's first quarter.",
  },
  ({ source, table }) => summarize(...MONTHS.map((month) => etl({ month, source, table }))),
);
