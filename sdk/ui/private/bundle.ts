/**
 * The page's script, bundled by esbuild from the TypeScript under `sdk/ui/app/` on first use and
 * cached under `node_modules/.cache/stepflow/ui/` (like the CLI's bundle): used again while every
 * input keeps its size and modification time. Nothing is fetched from the network at run time.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StepflowError } from "../../core/errors.ts";

const APP = fileURLToPath(new URL("../app/", import.meta.url));
const ROOT = resolve(APP, "../../..");
const CACHE = join(ROOT, "node_modules", ".cache", "stepflow", "ui");

/** The built page: its script and its style sheet. */
export interface PageAssets {
  readonly script: string;
  readonly style: string;
}

let built: Promise<PageAssets> | undefined;

/** The page's assets, built once per process (and reused across processes while up to date). */
export function pageAssets(): Promise<PageAssets> {
  built ??= load().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

async function load(): Promise<PageAssets> {
  const style = readFileSync(join(APP, "style.css"), "utf8");
  const cached = join(CACHE, "app.js");
  if (upToDate()) return { script: readFileSync(cached, "utf8"), style };
  const script = await build();
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, script);
  renameSync(tmp, cached);
  return { script, style };
}

function upToDate(): boolean {
  try {
    const inputs = JSON.parse(readFileSync(join(CACHE, "inputs.json"), "utf8")) as [string, number, number][];
    return inputs.every(([file, size, mtimeMs]) => {
      const s = statSync(join(ROOT, file), { throwIfNoEntry: false });
      return s !== undefined && s.size === size && s.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
}

async function build(): Promise<string> {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch (error) {
    throw new StepflowError("`stepflow ui` builds its page with esbuild, which is not installed; run `npm install`", { cause: error });
  }
  const result = await esbuild.build({
    entryPoints: [join(APP, "main.tsx")],
    absWorkingDir: ROOT,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs).map((f) => {
    const s = statSync(join(ROOT, f));
    return [relative(ROOT, join(ROOT, f)), s.size, s.mtimeMs];
  });
  mkdirSync(dirname(join(CACHE, "inputs.json")), { recursive: true });
  writeFileSync(join(CACHE, "inputs.json"), JSON.stringify(inputs));
  return result.outputFiles[0].text;
}
