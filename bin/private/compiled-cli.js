// The CLI and the flow files named on its command line, compiled by esbuild into one ES module
// bundle (split per lazily loaded command) and cached under node_modules/.cache/stepflow/cli/,
// so a CLI call loads JavaScript without a TypeScript loader. A bundle is used again while every
// file it was built from keeps its size and modification time; any change rebuilds it (~0.5 s).
// npm packages stay outside the bundle and load from node_modules as usual; `stepflow` imports
// in flow files compile to the bundle's own copy, so the CLI and the flows share one.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE = join(ROOT, "node_modules", ".cache", "stepflow", "cli");
const MODULE = /\.[cm]?[jt]sx?$/;

/**
 * The compiled CLI's `main` for `argv`, with the flow modules it names registered for
 * `loadFlows`; `undefined` when it cannot be built (the caller falls back to tsx).
 * @param {readonly string[]} argv
 * @returns {Promise<((argv: readonly string[]) => Promise<number>) | undefined>}
 */
export async function compiledMain(argv) {
  const { files, out } = bundleOf(argv);
  try {
    if (!upToDate(out)) await build(files, out);
  } catch {
    return undefined;
  }
  // Stack traces (and the `flows/x.ts:12` call sites in definition errors) point at the sources.
  process.setSourceMapsEnabled(true);
  const bundle = await import(pathToFileURL(join(out, "entry.js")).href);
  globalThis[Symbol.for("stepflow.preloaded")] = bundle.preloaded;
  // Task workers of local runs load the same bundle (sdk/local/private/task-workers.ts).
  globalThis[Symbol.for("stepflow.taskWorkerEntry")] = pathToFileURL(join(out, "worker.js")).href;
  return bundle.main;
}

/**
 * The flow files `argv` names (any argument naming an existing module file) and the folder of
 * their bundle.
 * @param {readonly string[]} argv
 */
export function bundleOf(argv) {
  const files = argv.slice(2).filter((a) => MODULE.test(a) && existsSync(a)).map((a) => resolve(a));
  // This file is part of the key: a change to how bundles are built builds them anew.
  const key = createHash("sha256").update(JSON.stringify([files, process.version])).update(readFileSync(fileURLToPath(import.meta.url))).digest("hex").slice(0, 16);
  return { files, out: join(CACHE, key) };
}

/** Every input of the bundle in `out` has the size and modification time it was built from. */
function upToDate(out) {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(out, "inputs.json"), "utf8"));
  } catch {
    return false;
  }
  return inputs.every(([file, size, mtimeMs]) => {
    const s = statSync(join(ROOT, file), { throwIfNoEntry: false });
    return s !== undefined && s.size === size && s.mtimeMs === mtimeMs;
  });
}

async function build(files, out) {
  const tmp = `${out}.${process.pid}.tmp`;
  mkdirSync(tmp, { recursive: true });
  try {
    await buildInto(tmp, files);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  // Another CLI call may have built the same bundle meanwhile and be loading its chunks lazily:
  // an up-to-date bundle is never removed, ours is dropped instead.
  if (upToDate(out)) {
    rmSync(tmp, { recursive: true, force: true });
    return;
  }
  // A stale bundle moves aside (one atomic rename) rather than being deleted under a process
  // still running from it; bundles set aside a while ago are removed.
  removeOldBundles(out);
  try {
    renameSync(out, `${out}.old-${Date.now()}-${process.pid}`);
  } catch {
    // No bundle yet, or another CLI call moved it first.
  }
  try {
    renameSync(tmp, out);
  } catch {
    // Another CLI call put its bundle in place at the same moment: use theirs.
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Removes the bundles of `out` set aside over ten minutes ago. */
function removeOldBundles(out) {
  const prefix = `${basename(out)}.old-`;
  for (const name of readdirSync(dirname(out))) {
    if (name.startsWith(prefix) && Date.now() - Number(name.slice(prefix.length).split("-")[0]) > 600_000) {
      rmSync(join(dirname(out), name), { recursive: true, force: true });
    }
  }
}

/** Builds the bundle of the CLI and `files` into `tmp`, with the list of its inputs. */
async function buildInto(tmp, files) {
  const { build: esbuild } = await import("esbuild");
  const loaders = files.map((f) => `  ${JSON.stringify(f)}: () => import(${JSON.stringify(f)}),`);
  const preloaded = `export const preloaded = {\n${loaders.join("\n")}\n};\n`;
  const entry = join(tmp, "entry.ts");
  writeFileSync(entry, `export { main } from ${JSON.stringify(join(ROOT, "sdk/cli/main.ts"))};\n${preloaded}`);
  // The entry of local runs' task worker threads: the same flow modules, from the same chunks.
  const worker = join(tmp, "worker.ts");
  writeFileSync(
    worker,
    `import { serveTasks } from ${JSON.stringify(join(ROOT, "sdk/local/private/task-worker-main.ts"))};\n${preloaded}process.setSourceMapsEnabled(true);\nserveTasks(preloaded);\n`,
  );
  const result = await esbuild({
    entryPoints: [entry, worker],
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: tmp,
    sourcemap: "linked",
    // Stack traces need the mappings only: the sources are on disk.
    sourcesContent: false,
    metafile: true,
    logLevel: "silent",
    // CommonJS packages compiled into an ES module still call `require` for Node's own modules.
    banner: { js: 'import { createRequire as __stepflowRequire } from "node:module";\nconst require = __stepflowRequire(import.meta.url);' },
    plugins: [packagesOutside, ownImportMeta],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.startsWith("node_modules/.cache/") && !f.startsWith("lazy:"))
    .map((f) => {
      const s = statSync(join(ROOT, f));
      return [f, s.size, s.mtimeMs];
    });
  writeFileSync(join(tmp, "inputs.json"), JSON.stringify(inputs));
  await keepMapsOfUserCode(result.metafile.outputs);
}

/**
 * Keeps source maps for the user's flow files only. Node parses every linked map when a module
 * loads (about 0.3 s of CPU for them all, 0.15 s for a flow chunk that carries zod), and only
 * frames in the user's files need mapping, for the `flows/x.ts:12` call sites of definition
 * errors. So a chunk without user code loses its map, and a chunk with some keeps only the
 * mappings into the user's files. (`STEPFLOW_CLI_FROM_SOURCE=1` gives source stack traces of
 * stepflow's own code.)
 */
async function keepMapsOfUserCode(outputs) {
  const { decode, encode } = await import("@jridgewell/sourcemap-codec");
  const ours = /^(node_modules|sdk|functions|infra|bin)\//;
  for (const [chunk, info] of Object.entries(outputs)) {
    if (!chunk.endsWith(".js")) continue;
    const file = join(ROOT, chunk);
    const user = new Set(Object.keys(info.inputs).filter((f) => !ours.test(f) && !f.includes(":")));
    if (user.size === 0) {
      writeFileSync(file, readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\n?$/, "\n"));
      rmSync(`${file}.map`, { force: true });
      continue;
    }
    const map = JSON.parse(readFileSync(`${file}.map`, "utf8"));
    const keep = new Set(map.sources.flatMap((s, i) => (user.has(relative(ROOT, resolve(dirname(file), s))) ? [i] : [])));
    map.mappings = encode(decode(map.mappings).map((line) => line.filter((seg) => seg.length > 1 && keep.has(seg[1]))));
    writeFileSync(`${file}.map`, JSON.stringify(map));
  }
}

/**
 * Modules the local engine imports at start-up but needs only for what stepflow never does
 * (call a real Lambda, validate a definition already validated), with the exports it uses: the
 * bundle loads each on first use instead. They cost about 0.5 s of CPU per call to load.
 */
const LAZY = {
  "asl-validator": (load) => `export default function validate(...args) { return ${load}(...args); }`,
  "@aws-sdk/client-lambda": (load) =>
    ["LambdaClient", "InvokeCommand"]
      .map((c) => `export class ${c} { constructor(...args) { return new (${load}.${c})(...args); } }`)
      .join("\n"),
  "@aws-sdk/credential-providers": (load) =>
    `export function fromCognitoIdentityPool(...args) { return ${load}.fromCognitoIdentityPool(...args); }`,
};
const ENGINE = "aws-local-stepfunctions";

/**
 * Packages left outside the bundle, loaded from node_modules when used: large ones loaded only by
 * some commands (the AWS SDK), tools, and those that find files or native add-ons at run time.
 */
const OUTSIDE = /^(@aws-sdk|@smithy|@aws-crypto|@aws-cdk|aws-cdk-lib|constructs|esbuild|tsx|typescript|pg|pg-[\w-]+|hyparquet[\w-]*|fsevents)(\/|$)/;

/**
 * Packages are compiled in (resolving hundreds of module files costs most of a call's start-up),
 * except those `OUTSIDE`; of the local engine's imports, those in `LAZY` load on first use.
 */
const packagesOutside = {
  name: "packages-outside",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (a) => {
      if (a.pluginData?.inner || a.path.startsWith("node:")) return undefined;
      const lazy = a.path in LAZY && a.importer.includes(`/node_modules/${ENGINE}/`);
      if (!lazy) return OUTSIDE.test(a.path) ? { path: a.path, external: true } : undefined;
      const real = await b.resolve(a.path, { kind: "require-call", resolveDir: a.resolveDir, pluginData: { inner: true } });
      return real.errors.length > 0 ? { path: a.path, external: true } : { path: a.path, namespace: "lazy", pluginData: real.path };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy" }, (a) => ({
      contents: `import { createRequire } from "node:module";\nconst load = () => createRequire(import.meta.url)(${JSON.stringify(a.pluginData)});\n${LAZY[a.path]("load()")}\n`,
      loader: "js",
    }));
  },
};

/**
 * Each compiled file keeps its own location: `import.meta.url` (flows read sample data next to
 * them) and, in CommonJS packages, `__dirname` and `__filename`.
 */
const ownImportMeta = {
  name: "own-import-meta",
  setup(b) {
    b.onLoad({ filter: MODULE }, async (a) => {
      const text = await readFile(a.path, "utf8");
      if (!text.includes("import.meta.") && !text.includes("__dirname") && !text.includes("__filename")) return undefined;
      const contents = text
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(a.path).href))
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(a.path)))
        .replaceAll("import.meta.filename", JSON.stringify(a.path))
        .replace(/\b__dirname\b/g, JSON.stringify(dirname(a.path)))
        .replace(/\b__filename\b/g, JSON.stringify(a.path));
      return { contents, loader: /\.[cm]?tsx?$/.test(a.path) ? "ts" : "js", resolveDir: dirname(a.path) };
    });
  },
};
