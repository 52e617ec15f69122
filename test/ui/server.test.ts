import { spawn } from "node:child_process";
import { request } from "node:http";
import { resolve } from "node:path";
import { runLocal } from "stepflow/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localRunSource, serveUi, type UiServer } from "../../sdk/ui/index.ts";
import { ROOT } from "../support/cli.ts";
import { tempDir } from "../support/temp-dir.ts";
import { shapes } from "./fixtures/ui-flows.ts";

let ui: UiServer;
let runId: string;
let dir: string;

beforeAll(async () => {
  dir = tempDir("stepflow-ui-server-");
  runId = (await runLocal(shapes, { x: 3 }, { dir })).runId;
  ui = await serveUi(localRunSource({ dir }), { port: 0 });
});
afterAll(() => ui?.close());

/** A GET with the headers given as they are (fetch would not let a test set `Host`). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port: ui.port, path, headers: { Host: `127.0.0.1:${ui.port}`, ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => done({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", fail).end();
  });
}

describe("stepflow ui server", () => {
  it("listens on the loopback interface only", () => {
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/`);
  });

  it.each([
    ["a foreign Host (DNS rebinding)", { Host: `evil.example:${ui?.port ?? 0}` }, /Host: evil\.example/],
    ["its own port on another name", { Host: "attacker.test" }, /Host: attacker\.test/],
    ["a foreign Origin", { Origin: "http://evil.example" }, /Origin: http:\/\/evil\.example/],
    ["an Origin on another port", { Origin: "http://127.0.0.1:1" }, /Origin/],
  ])("refuses a request with %s", async (_, headers, message) => {
    for (const path of ["/", "/api/runs", `/api/runs/${runId}`, "/app.js"]) {
      const res = await get(path, headers);
      expect(res.status).toBe(403);
      expect(res.body).toMatch(message);
    }
  });

  it("answers its own Host and Origin, with a policy that allows only its own scripts and data", async () => {
    for (const host of [`127.0.0.1:${ui.port}`, `localhost:${ui.port}`]) {
      const res = await get("/", { Host: host, Origin: `http://${host}` });
      expect(res.status).toBe(200);
      expect(res.body).toContain('<script type="module" src="/app.js">');
      expect(res.body).not.toMatch(/https?:\/\//);
      expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(res.headers["content-security-policy"]).toContain("connect-src 'self'");
    }
    const script = await get("/app.js");
    expect(script.status).toBe(200);
    // Bundled here, nothing loaded from elsewhere at run time.
    expect(script.body).not.toMatch(/from\s*"https?:|import\("https?:/);
  });

  it("serves runs as JSON without their outputs, and a run's attempts without their results", async () => {
    const list = JSON.parse((await get("/api/runs")).body) as { runs: { runId: string; output?: unknown }[] };
    expect(list.runs.map((r) => r.runId)).toContain(runId);
    expect(list.runs.every((r) => r.output === undefined)).toBe(true);
    const view = JSON.parse((await get(`/api/runs/${runId}`)).body) as { attempts: { state: string; result?: unknown; hasResult: boolean }[] };
    expect(view.attempts.length).toBeGreaterThan(5);
    expect(view.attempts.every((a) => a.result === undefined && a.hasResult)).toBe(true);
    const detail = JSON.parse((await get(`/api/runs/${runId}/attempt?state=double&index=2&attempt=0`)).body) as { result: unknown };
    expect(detail.result).toBe(6);
  });

  it("answers 404 for run ids that are not runs (no path escapes the history)", async () => {
    for (const id of ["..%2F..%2Fsecrets", "nope", "%2E%2E"]) expect((await get(`/api/runs/${id}`)).status).toBe(404);
    expect((await get(`/api/runs/${runId}/attempt?state=double&index=99&attempt=0`)).status).toBe(404);
  });
});

describe("stepflow ui (the binary)", () => {
  it("serves the page on the address it prints until interrupted", async () => {
    const child = spawn(process.execPath, [resolve(ROOT, "bin/stepflow.js"), "ui", "--port", "0", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const url = await new Promise<string>((done, fail) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) done(m[0]);
      });
      child.on("exit", (code) => fail(new Error(`stepflow ui exited ${code}: ${out}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const runs = (await (await fetch(`${url}api/runs`)).json()) as { runs: { runId: string }[] };
    expect(runs.runs.map((r) => r.runId)).toContain(runId);
    const exited = new Promise<number | null>((done) => child.on("exit", done));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 120_000);
});
