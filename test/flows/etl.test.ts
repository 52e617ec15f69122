import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ParamsError } from "stepflow";
import { runLocal } from "stepflow/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etl, etlMonths, MONTHS } from "../../flows/etl.ts";
import { startPostgres, type TestPostgres } from "./support/postgres.ts";

let server: TestPostgres;
let db: pg.Client;
let dir: string;

beforeAll(async () => {
  server = await startPostgres();
  // The flow reads its connection string the way a local user sets it: STEPFLOW_SECRET_<NAME>.
  process.env.STEPFLOW_SECRET_POSTGRES_URL = server.url;
  db = new pg.Client({ connectionString: server.url });
  await db.connect();
  dir = mkdtempSync(join(tmpdir(), "stepflow-etl-"));
});

afterAll(async () => {
  delete process.env.STEPFLOW_SECRET_POSTGRES_URL;
  await db?.end();
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The sample's valid orders of `month` (amount present), read here rather than by the flow. */
function sampleOrders(month: string) {
  const [, ...lines] = readFileSync(new URL(`../../flows/data/orders/${month}.csv`, import.meta.url), "utf8")
    .trim()
    .split("\n");
  return lines
    .map((l) => l.split(","))
    .filter(([, , , , amount]) => amount !== "")
    .map(([id, , , country, amount, currency]) => ({
      id: Number(id),
      country,
      amount: Number(amount),
      currency,
    }));
}

describe("etl-months", () => {
  it("loads every month's valid orders into PostgreSQL, in USD, through the etl subflow", async () => {
    const run = await runLocal(etlMonths, {}, { dir });

    expect(run.status).toBe("SUCCEEDED");
    const expected = MONTHS.flatMap((m) => sampleOrders(m).map((o) => ({ ...o, month: m })));
    expect(run.result).toStrictEqual({ months: [...MONTHS], rows: expected.length });
    const { rows } = await db.query<{ order_id: number; country: string; amount_usd: string; month: string }>(
      "SELECT order_id, country, amount_usd, month FROM orders ORDER BY order_id",
    );
    expect(rows.map((r) => [r.order_id, r.month])).toStrictEqual(expected.map((o) => [o.id, o.month]));
    const rates: Record<string, number> = { USD: 1, EUR: 1.09, GBP: 1.27 };
    for (const [i, o] of expected.entries()) {
      expect(Number(rows[i].amount_usd)).toBeCloseTo(o.amount * rates[o.currency], 2);
      expect(rows[i].country).toBe(o.country.toUpperCase());
    }
    expect(new Set(run.tasks.map((t) => t.flow))).toStrictEqual(new Set(["etl", "etl-months"]));
    expect(run.tasks.filter((t) => t.task === "extract" && t.cached)).toHaveLength(0);
  });

  it("extracts from the cache on the next run and upserts without duplicating rows", async () => {
    const before = await db.query("SELECT count(*)::int AS n FROM orders");
    const run = await runLocal(etlMonths, {}, { dir });

    expect(run.status).toBe("SUCCEEDED");
    const extracts = run.tasks.filter((t) => t.task === "extract");
    expect(extracts).toHaveLength(MONTHS.length);
    expect(extracts.every((t) => t.cached === true)).toBe(true);
    expect(run.tasks.filter((t) => t.task === "load" && t.status === "SUCCEEDED")).toHaveLength(
      MONTHS.length,
    );
    const after = await db.query("SELECT count(*)::int AS n FROM orders");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});

describe("etl", () => {
  it("loads one month into the table it is given", async () => {
    const run = await runLocal(etl, { month: "2024-03", table: "orders_march" }, { dir });

    expect(run.status).toBe("SUCCEEDED");
    const { rows } = await db.query<{ order_id: number }>(
      "SELECT order_id FROM orders_march ORDER BY order_id",
    );
    expect(rows.map((r) => r.order_id)).toStrictEqual(sampleOrders("2024-03").map((o) => o.id));
    expect(run.result).toStrictEqual({ month: "2024-03", table: "orders_march", rows: rows.length });
  });

  it("rejects a malformed month before anything runs", async () => {
    await expect(runLocal(etl, { month: "March" }, { dir })).rejects.toThrow(ParamsError);
  });
});
