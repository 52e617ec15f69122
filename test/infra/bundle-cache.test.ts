import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Bundle } from "../../infra/bundle-info.ts";
import { cachedBuild } from "../../infra/private/bundle-cache.ts";
import { answerBundles, type BundleRequest, runWorker, spawnWorker, type WorkerRun } from "../../infra/private/bundle.ts";
import { tempDir } from "../support/temp-dir.ts";

/**
 * A one-task project in a temp folder. `build` is what `bundleAll` does in a new process: the
 * cache has no in-process memo of answers, so every call reads the entry on disk; `runs` counts
 * the worker's runs: in the test process's bundle thread (test/setup.ts), or spawned with `run`.
 */
function project(run?: WorkerRun) {
  const dir = tempDir("stepflow-bcache-");
  const word = join(dir, "word.ts");
  writeFileSync(word, 'export const word = "alpha";\n');
  // Older than the build: a file modified as the build starts is not cached.
  const past = new Date(Date.now() - 60_000);
  utimesSync(word, past, past);
  const request: BundleRequest = {
    source: 'import { word } from "./word.ts";\nexport const handler = () => word;\n',
    resolveDir: dir,
    pureFiles: [],
    outRoot: join(dir, "bundles"),
    bundleAwsSdk: false,
  };
  const runs: string[] = [];
  const build = (requests = [request]): Bundle => {
    const answer = cachedBuild(requests, (input) => {
      runs.push(input);
      return runWorker(input, run);
    });
    return answerBundles(answer)[0];
  };
  const entry = () => join(request.outRoot, ".cache", readdirSync(join(request.outRoot, ".cache"))[0]);
  return { dir, word, past, request, runs, build, entry };
}

const code = (bundle: Bundle) => readFileSync(join(bundle.dir, "index.mjs"), "utf8");
let corrupted: { p: ReturnType<typeof project>; first: Bundle } | undefined;

describe("the on-disk bundle cache", () => {
  // Cases that can follow one another on one project do, so the file runs only the builds it checks.
  // This one spawns the worker as `cdk synth` does (a Node process and an esbuild service, ~0.4
  // CPU-seconds); the others build in the test process's bundle thread.
  it("returns the same bundle without spawning the worker when nothing changed, or only a source's mtime", () => {
    const p = project(spawnWorker);
    const first = p.build();
    expect(code(first)).toContain('"alpha"');
    expect(first.inputs.some((i) => i.endsWith("word.ts"))).toBe(true);
    expect(p.build()).toStrictEqual(first);
    expect(p.runs).toHaveLength(1);
    const later = new Date(p.past.getTime() + 10_000);
    utimesSync(p.word, later, later);
    expect(p.build()).toStrictEqual(first);
    expect(p.runs).toHaveLength(1);
  });

  it("builds again when the bundle's output folder was deleted, and with the new code when a source is edited to the same size", () => {
    const p = project();
    const first = p.build();
    rmSync(first.dir, { recursive: true });
    expect(p.build()).toStrictEqual(first);
    expect(p.runs).toHaveLength(2);
    expect(code(first)).toContain('"alpha"');
    writeFileSync(p.word, 'export const word = "omega";\n');
    const second = p.build();
    expect(p.runs).toHaveLength(3);
    expect(code(second)).toContain('"omega"');
    expect(code(second)).not.toContain('"alpha"');
    expect(second.assetHash).not.toBe(first.assetHash);
  });

  it.each([
    ["not JSON", "{ not json"],
    ["JSON of another shape", "{}"],
    ["an entry with the wrong number of bundles", '{"answer":{"files":[],"sources":[],"bundles":[]},"sources":{}}'],
  ])("ignores a corrupt entry (%s) and builds again", (_, text) => {
    // One project for the three cases, built once; each case corrupts its entry and counts from there.
    corrupted ??= (() => {
      const p = project();
      return { p, first: p.build() };
    })();
    const { p, first } = corrupted;
    const before = p.runs.length;
    writeFileSync(p.entry(), text);
    expect(p.build()).toStrictEqual(first);
    expect(p.runs).toHaveLength(before + 1);
    // The rebuilt entry replaced the corrupt one.
    expect(p.build()).toStrictEqual(first);
    expect(p.runs).toHaveLength(before + 1);
  });

  it("keys entries by the whole batch: a bundle's chunks depend on the bundles built with it", () => {
    const p = project();
    const other = { ...p.request, source: 'import { word } from "./word.ts";\nexport const handler = () => word.length;\n' };
    const first = p.build([p.request, other]);
    expect(p.build([p.request])).toStrictEqual(p.build([p.request]));
    expect(p.runs).toHaveLength(2);
    expect(p.build([p.request, other])).toStrictEqual(first);
    expect(p.runs).toHaveLength(2);
  });

  // Resolution changes that leave every file esbuild read as it was: the old bundle would deploy old code.
  it("builds again when a file added beside a source now wins its import's resolution", () => {
    const p = project();
    const js = join(p.dir, "pick.js");
    writeFileSync(js, 'export const pick = "from-js";\n');
    utimesSync(js, p.past, p.past);
    const request = { ...p.request, source: 'import { pick } from "./pick";\nexport const handler = () => pick;\n' };
    expect(code(p.build([request]))).toContain('"from-js"');
    const ts = join(p.dir, "pick.ts");
    writeFileSync(ts, 'export const pick = "from-ts";\n');
    utimesSync(ts, p.past, p.past);
    const second = p.build([request]);
    expect(p.runs).toHaveLength(2);
    expect(code(second)).toContain('"from-ts"');
  });

  it("builds again when tsconfig.json's paths point an import elsewhere", () => {
    const p = project();
    const files = { "a.ts": 'export const pick = "from-a";\n', "b.ts": 'export const pick = "from-b";\n' };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(p.dir, name), text);
    const tsconfig = join(p.dir, "tsconfig.json");
    const paths = (to: string) => JSON.stringify({ compilerOptions: { paths: { "#pick": [to] } } });
    writeFileSync(tsconfig, paths("./a.ts"));
    for (const name of [...Object.keys(files), "tsconfig.json"]) utimesSync(join(p.dir, name), p.past, p.past);
    const request = { ...p.request, source: 'import { pick } from "#pick";\nexport const handler = () => pick;\n' };
    expect(code(p.build([request]))).toContain('"from-a"');
    writeFileSync(tsconfig, paths("./b.ts"));
    const second = p.build([request]);
    expect(p.runs).toHaveLength(2);
    expect(code(second)).toContain('"from-b"');
  });

  it("never caches a failed build", () => {
    const p = project();
    const broken = { ...p.request, source: 'import { nope } from "./missing.ts";\nexport const handler = () => nope;\n' };
    expect(() => p.build([broken])).toThrow(/bundling Lambda code with esbuild failed/);
    expect(() => p.build([broken])).toThrow(/bundling Lambda code with esbuild failed/);
    expect(p.runs).toHaveLength(2);
    expect(existsSync(join(p.request.outRoot, ".cache"))).toBe(false);
  });

  it("answers when its process is started through a symlinked path (pnpm, npm link, --preserve-symlinks)", () => {
    const link = join(tempDir("stepflow-bworker-link-"), "bundle-worker.mjs");
    symlinkSync(fileURLToPath(new URL("../../infra/private/bundle-worker.mjs", import.meta.url)), link);
    const output = execFileSync(process.execPath, [link], { input: JSON.stringify({ requests: [] }), encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ files: [], inputSets: [], bundles: [], sources: [] });
  });
});
