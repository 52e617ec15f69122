import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { runLocal } from "stepflow/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import indexes from "../../flows/data/market/indexes.json" with { type: "json" };
import { groupBy } from "../../flows/lib/group-by.ts";
import { marketData, periodStart } from "../../flows/market-data.ts";

const cwd = process.cwd();
let dir: string;

/** The shipped daily CSV of `symbol`, read independently of the flow. */
function daily(symbol: string) {
  const file = new URL(`../../flows/data/market/${symbol.toLowerCase()}.us.csv`, import.meta.url);
  const [, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  return lines.map((line) => {
    const [date, open, high, low, close, volume] = line.split(",");
    return { date, open: +open, high: +high, low: +low, close: +close, volume: +volume };
  });
}

async function readParquet(key: string) {
  const bytes = readFileSync(join(dir, ".stepflow", "results", key));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { rows: await parquetReadObjects({ file }), metadata: parquetMetadata(file) };
}

beforeAll(() => {
  // The flow's files go to `.stepflow/` of the working directory, as the local results store's do.
  dir = mkdtempSync(join(tmpdir(), "stepflow-market-"));
  process.chdir(dir);
});

afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

describe("market-data", () => {
  it("writes weekly and monthly Parquet files per symbol whose bars aggregate the daily ones", async () => {
    const run = await runLocal(marketData, { indexName: "MEGA-3" }, { fastRetries: true });

    expect(run.status).toBe("SUCCEEDED");
    const symbols = indexes["MEGA-3"];
    expect(run.result).toHaveLength(symbols.length * 2);
    for (const symbol of symbols) {
      const days = daily(symbol);
      const lastDay = days.at(-1)!.date;
      for (const period of ["week", "month"] as const) {
        const key = `runs/market-data/files/MEGA-3/${lastDay}/${symbol}.${period}.parquet`;
        expect(run.result).toContain(key);
        const { rows, metadata } = await readParquet(key);
        expect(metadata.key_value_metadata).toContainEqual({ key: "symbol", value: symbol });
        const groups = groupBy(days, (d) => periodStart(d.date, period));
        expect(rows).toHaveLength(groups.size);
        for (const [row, group] of rows.map((r, i) => [r, [...groups.values()][i]] as const)) {
          expect(row.date).toStrictEqual(new Date(`${group[0].date}T00:00:00Z`));
          expect(row.open).toBe(group[0].open);
          expect(row.close).toBe(group.at(-1)!.close);
          expect(row.high).toBe(Math.max(...group.map((d) => d.high)));
          expect(row.low).toBe(Math.min(...group.map((d) => d.low)));
          expect(row.volume).toBe(BigInt(group.reduce((sum, d) => sum + d.volume, 0)));
        }
      }
    }
    // Depth-first: one Map iteration per symbol ran the whole chain.
    const byIndex = groupBy(
      run.tasks.filter((t) => t.mapIndex !== undefined),
      (t) => t.mapIndex,
    );
    expect([...byIndex.values()].map((ts) => ts.map((t) => t.state).sort())).toStrictEqual(
      symbols.map(() => ["download-ohlc", "resample", "resample-2", "save-parquet", "save-parquet-2"]),
    );
  });

  it("saves a weekly and a monthly Parquet file per DJIA symbol by default", async () => {
    const run = await runLocal(marketData, {}, { fastRetries: true });

    expect(run.status).toBe("SUCCEEDED");
    const symbols = indexes.DJIA;
    expect(new Set(symbols).size).toBe(30);
    const keys: string[] = [];
    for (const symbol of symbols) {
      const lastDay = daily(symbol).at(-1)!.date;
      for (const period of ["week", "month"] as const) {
        const key = `runs/market-data/files/DJIA/${lastDay}/${symbol}.${period}.parquet`;
        const { rows, metadata } = await readParquet(key);
        expect(rows.length).toBeGreaterThan(0);
        expect(metadata.key_value_metadata).toContainEqual({ key: "symbol", value: symbol });
        keys.push(key);
      }
    }
    expect([...(run.result ?? [])].sort()).toStrictEqual(keys.sort());
  });

  describe("from a URL", () => {
    let server: Server;
    let url: string;
    const hits = new Map<string, number>();

    beforeAll(async () => {
      // A Stooq stand-in: every symbol's first request fails with 502, so downloads retry.
      server = createServer((req, res) => {
        const symbol = new URL(req.url ?? "/", "http://x").searchParams.get("s") ?? "";
        hits.set(symbol, (hits.get(symbol) ?? 0) + 1);
        if (hits.get(symbol) === 1) return void res.writeHead(502).end();
        const csv = readFileSync(new URL(`../../flows/data/market/${symbol}.csv`, import.meta.url), "utf8");
        res.writeHead(200, { "content-type": "text/csv" }).end(csv);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/q/d/l/?s={symbol}.us&i=d`;
    });

    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it("downloads each symbol's bars, retrying failed requests", async () => {
      const run = await runLocal(marketData, { indexName: "MEGA-3", source: url }, { fastRetries: true });

      expect(run.status).toBe("SUCCEEDED");
      expect(run.result).toHaveLength(6);
      expect([...hits.entries()].sort()).toStrictEqual([
        ["aapl.us", 2],
        ["msft.us", 2],
        ["nvda.us", 2],
      ]);
      const downloads = run.tasks.filter((t) => t.task === "download-ohlc");
      expect(downloads.filter((t) => t.status === "FAILED")).toHaveLength(3);
      expect(downloads.filter((t) => t.status === "SUCCEEDED")).toHaveLength(3);
    });
  });

  it("rejects an unknown index without retrying", async () => {
    const run = await runLocal(marketData, { indexName: "NOPE" }, { fastRetries: true });

    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "NonRetriableError", task: "get-composition" });
    expect(run.error?.message).toMatch(/SP500-SAMPLE, MEGA-3/);
  });
});
