import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { STATUSES } from "../core/status.ts";
import { assertRunId } from "../core/run-id.ts";
import { pageAssets } from "./private/bundle.ts";
import { sameHostOnly } from "./private/guard.ts";
import { CONTENT_SECURITY_POLICY, pageHtml } from "./private/page.ts";
import { errorText } from "./private/views.ts";
import type { RunSource } from "./types.ts";
import type { RunStatus } from "../core/status.ts";

/** Options of `createUiApp`. */
export interface UiAppOptions {
  /** The port the server listens on, for the `Host`/`Origin` check (known once listening). */
  readonly port: () => number;
  /** How often the source is polled for changes while a page is open, in ms. @default 300 */
  readonly pollMs?: number;
}

/**
 * The `stepflow ui` web app: the page, its script, a JSON API over `source` and a stream of
 * change notices (server-sent events) that keeps open pages live.
 */
export function createUiApp(source: RunSource, options: UiAppOptions): Hono {
  const app = new Hono();
  app.use("*", sameHostOnly(options.port));
  app.use("*", async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-store");
  });
  app.onError((error, c) => c.json({ error: errorText(error) }, 500));
  app.get("/", (c) => c.html(pageHtml(source.kind)));
  app.get("/app.js", async (c) => c.body((await pageAssets()).script, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/app.css", async (c) => c.body((await pageAssets()).style, 200, { "Content-Type": "text/css; charset=utf-8" }));
  app.get("/api/runs", async (c) => {
    const status = c.req.query("status")?.toUpperCase();
    if (status && !STATUSES.includes(status as RunStatus)) return c.json({ error: `\`status\` must be one of ${STATUSES.join(", ")}` }, 400);
    const limit = Number(c.req.query("limit") ?? 200);
    const runs = await source.listRuns({ flow: c.req.query("flow") || undefined, status: (status || undefined) as RunStatus | undefined, limit: Number.isInteger(limit) && limit > 0 ? limit : 200 });
    return c.json({ source: source.kind, runs });
  });
  app.get("/api/runs/:runId", async (c) => {
    const runId = c.req.param("runId");
    const view = await checked(runId, () => source.getRun(runId));
    return view ? c.json(view) : c.json({ error: `run \`${runId}\` is not in the history` }, 404);
  });
  app.get("/api/runs/:runId/attempt", async (c) => {
    const runId = c.req.param("runId");
    const index = c.req.query("index");
    const key = { state: c.req.query("state") ?? "", attempt: Number(c.req.query("attempt") ?? 0), ...(index ? { mapIndex: Number(index) } : {}) };
    const detail = await checked(runId, () => source.getAttempt(runId, key));
    return detail ? c.json(detail) : c.json({ error: `attempt ${key.attempt} of \`${key.state}\` is not in run \`${runId}\`` }, 404);
  });
  app.post("/api/runs/:runId/retry", async (c) => {
    const runId = c.req.param("runId");
    try {
      assertRunId(runId, "the run id");
      return c.json(await source.retry(runId));
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 400);
    }
  });
  app.get("/api/events", (c) => {
    const runId = c.req.query("run") || undefined;
    if (runId) assertRunId(runId, "query parameter `run`");
    return streamSSE(c, async (stream) => {
      let last = await source.version(runId);
      let open = true;
      stream.onAbort(() => void (open = false));
      await stream.writeSSE({ event: "hello", data: last });
      while (open) {
        await stream.sleep(options.pollMs ?? 300);
        const now = await source.version(runId).catch(() => last);
        if (now !== last) await stream.writeSSE({ event: "changed", data: now });
        last = now;
      }
    });
  });
  return app;
}

/** Calls `read` once `runId` is known valid; an invalid one reads as no such run. */
async function checked<T>(runId: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    assertRunId(runId, "the run id");
  } catch {
    return undefined;
  }
  return read();
}
