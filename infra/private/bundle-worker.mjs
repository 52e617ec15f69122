/**
 * Builds Lambda bundles with esbuild's async API, in a child process: `bundle.ts` runs it
 * with `execFileSync` because esbuild refuses plugins in `buildSync`, and CDK constructors are
 * synchronous. Plain JavaScript so it starts with bare `node` (no TypeScript loader), ~50 ms.
 * Requests are built together, one esbuild build per group (see `groupKey`), so the code the
 * bundles share is parsed once: 23 bundles in one build take about a third of 23 builds.
 *
 * stdin: `{ requests: BundleRequest[] }`; stdout: `{ files: string[], inputSets: number[][], bundles: Bundle[], sources: string[] }`,
 * bundles in the requests' order, each `inputs` as indexes into `files`, followed by those of
 * `inputSets[inputSet]` when it has one (its chunks' inputs, shared by many bundles), and its
 * directory's file names as `files`; `sources`: every file the builds read, absolute (what
 * `bundle-cache.ts` checks before reusing the answer).
 *
 * Task code is tree-shaken per task: flow modules get `/* @__PURE__ *\/` on their stepflow calls
 * (`bundle-pure.mjs`) and each task's entry gets its own copy of the user modules it reaches
 * (`bundle-copies.mjs`), so a task's bundle never holds another task's code.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { copyPlugin, copiedFile } from "./bundle-copies.mjs";
import { purePlugin, stepflowImports } from "./bundle-pure.mjs";

// CommonJS dependencies inside an ES module bundle may still call `require` (esbuild then emits a
// shim that throws "Dynamic require of ... is not supported" unless a `require` exists). The file
// holding that shim gets a `require` made on its first call: the shim sits in the chunk of
// esbuild's helpers, which most tasks load, and importing `node:module` up front would cost every
// Lambda's init for the few that call `require`.
const MAKE_REQUIRE = "(__cr??=process.getBuiltinModule('module').createRequire(import.meta.url))";
const REQUIRE_BANNER = `let __cr;const require=Object.assign((...a)=>${MAKE_REQUIRE}(...a),{resolve:(...a)=>${MAKE_REQUIRE}.resolve(...a)});\n`;

function withRequire(code) {
  const text = Buffer.from(code.buffer, code.byteOffset, code.byteLength);
  if (!text.includes("Dynamic require of")) return code;
  return Buffer.concat([Buffer.from(REQUIRE_BANNER), text]);
}

/** The namespace of the generated entries: module `i` is request `i`'s `source`. */
const ENTRY_NS = "stepflow-entry";
/** The generated entry's name in a bundle's `inputs`, whichever request it is. */
const ENTRY_FILE = "stepflow-entry.ts";
/** esbuild's (unwritten) output directory, relative to the working directory. */
const OUT_DIR = "stepflow-out";

/** Serves request `i`'s generated source as entry `stepflow-entry:i`, resolving from its `resolveDir`. */
function entryPlugin(requests) {
  return {
    name: "stepflow-entries",
    setup(b) {
      b.onResolve({ filter: /^stepflow-entry:\d+$/ }, (args) => ({
        path: args.path.slice(ENTRY_NS.length + 1),
        namespace: ENTRY_NS,
      }));
      b.onLoad({ filter: /^\d+$/, namespace: ENTRY_NS }, (args) => {
        const request = requests[Number(args.path)];
        return { contents: request.source, resolveDir: request.resolveDir, loader: "ts" };
      });
    },
  };
}

/**
 * One build for several requests, with code splitting: esbuild parses, links and minifies the
 * code the bundles share (the runtime, zod, the AWS SDK) once, into chunks, instead of once per
 * task (with the SDK bundled that was ~700 KB of minified output per task, 14 s for 50 tasks).
 * Each chunk holds code reachable from the same set of entries, so every chunk a task's entry
 * reaches holds only code that task can run: its bundle is its entry plus those chunks, never
 * another task's code. The SDK clients, imported with `import()` by the stores, stay separate
 * chunks loaded on a task's first AWS call, so a cold start parses the runtime only.
 * The pure plugin sees the union of the requests' `pureFiles`; `groupKey` keeps that union from
 * changing what any one request would have had.
 */
async function bundleGroup(requests) {
  try {
    return await buildGroup(requests, true);
  } catch (error) {
    // A copy cut to one export lacks an export another user module of that task imports from it
    // (a circular import): build that group again with whole copies.
    if (!String(error.message).includes("No matching export")) throw error;
    return buildGroup(requests, false);
  }
}

/**
 * Below this many tasks of one module in a build, whole copies cost less than loading a parser
 * to cut them (TypeScript's takes ~0.5 s to load).
 */
const SLICE_MIN_TASKS = 16;

/**
 * The task export of `file` that entry `entry` imports, when its copy may be cut to it: the module
 * defines the tasks of many entries of the build, so whole copies would be parsed once per task.
 */
function slicer(requests, enabled) {
  const users = new Map();
  for (const r of requests) if (r.slice) users.set(r.slice.file, (users.get(r.slice.file) ?? 0) + 1);
  return (entry, file) => {
    const slice = enabled ? requests[Number(entry)]?.slice : undefined;
    return slice && slice.file === file && users.get(file) >= SLICE_MIN_TASKS ? slice.exportName : undefined;
  };
}

async function buildGroup(requests, slicing) {
  const pureFiles = requests.flatMap((r) => r.pureFiles);
  const result = await build({
    entryPoints: requests.map((_, i) => ({ in: `${ENTRY_NS}:${i}`, out: `entry-${i}` })),
    outdir: OUT_DIR,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunk-[hash]",
    splitting: true,
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node22",
    minify: true,
    treeShaking: true,
    legalComments: "none",
    metafile: true,
    // By default the AWS SDK is bundled (the lockfile's versions run, not the runtime's); with
    // `bundleAwsSdk: false` it is left to the copy the Lambda nodejs22.x runtime ships.
    external: requests[0].bundleAwsSdk ? [] : ["@aws-sdk/*", "@smithy/*"],
    // ESM builds first: the SDK's dist-es tree-shakes and needs no `require` shim.
    mainFields: ["module", "main"],
    plugins: [
      entryPlugin(requests),
      copyPlugin(ENTRY_NS, pureFiles, slicer(requests, slicing)),
      purePlugin(pureFiles),
    ],
    logLevel: "silent",
  });
  const files = new Map(result.outputFiles.map((f) => [relative(process.cwd(), f.path).split(sep).join("/"), f]));
  const outputs = result.metafile.outputs;
  // Per output file, not per bundle: a thousand bundles load the same shared chunks.
  const listed = new Map();
  const contents = new Map();
  const contentsOf = (key) => {
    if (!contents.has(key)) contents.set(key, withRequire(files.get(key).contents));
    return contents.get(key);
  };
  const chunksOf = chunkClosures(outputs, contentsOf, (request, key) => contributingOnce(listed, request, key, outputs[key].inputs));
  const bundles = requests.map((request, i) => {
    const entry = `${OUT_DIR}/entry-${i}.mjs`;
    const chunks = chunksOf(request, entry);
    const code = [entry, ...chunks.closure].map((key) => ({
      name: key === entry ? "index.mjs" : key.slice(OUT_DIR.length + 1),
      contents: contentsOf(key),
    }));
    const staticBytes = code[0].contents.byteLength + chunks.staticBytes;
    // The entry's inputs, then its chunks' (`shared`, listed once for every bundle with the same
    // chunks): what one `new Set` of all, in closure order, would list.
    const own = [...new Set(contributingOnce(listed, request, entry, outputs[entry].inputs))];
    const [inputs, shared] = own.some((f) => chunks.inputSet.has(f)) ? [[...new Set([...own, ...chunks.inputs])], undefined] : [own, chunks.inputs];
    return { ...writeBundle(request, code, { staticBytes, inputs }), shared };
  });
  return { bundles, sources: sourcesOf(result.metafile.inputs) };
}

/** Every file esbuild read, code tree-shaken away too (an edit may add a side effect), absolute; the entries are the requests'. */
function sourcesOf(inputs) {
  return Object.keys(inputs)
    .filter((i) => !i.startsWith(`${ENTRY_NS}:`))
    .map((i) => resolve(copiedFile(i) ?? i));
}

/**
 * The chunks an entry loads (in `reachable`'s order), the bytes of those it imports statically, and
 * their inputs (deduplicated, in that order), worked out once per set of chunks the entry imports
 * directly: a thousand task entries of one shape import the same chunks, and walking and listing
 * ~35 chunks and their ~900 inputs per task was a millisecond a task.
 */
function chunkClosures(outputs, contentsOf, inputsOf) {
  const known = new Map();
  return (request, entry) => {
    const direct = outputs[entry].imports.filter((imp) => !imp.external && outputs[imp.path]);
    const id = JSON.stringify([request.resolveDir, direct.map((imp) => [imp.path, imp.kind])]);
    let chunks = known.get(id);
    if (!chunks) {
      const closure = reachable(entry, outputs).slice(1);
      const statics = new Set(reachable(entry, outputs, ["import-statement"]));
      const inputs = [...new Set(closure.flatMap((key) => inputsOf(request, key)))];
      const staticBytes = closure.filter((key) => statics.has(key)).reduce((n, key) => n + contentsOf(key).byteLength, 0);
      chunks = { closure, staticBytes, inputs, inputSet: new Set(inputs) };
      // An entry file among them (another entry's code imported: not seen from esbuild) is this entry's own walk only.
      if (closure.some((key) => key.startsWith(`${OUT_DIR}/entry-`))) return chunks;
      known.set(id, chunks);
    }
    return chunks;
  };
}

/** `entry` and every output file it imports, transitively (`kinds`: which imports to follow). */
function reachable(entry, outputs, kinds = ["import-statement", "dynamic-import"]) {
  const seen = new Set([entry]);
  for (const key of seen) {
    for (const imp of outputs[key].imports) {
      if (!imp.external && kinds.includes(imp.kind) && outputs[imp.path]) seen.add(imp.path);
    }
  }
  return [...seen];
}

/** The shared chunks' inputs are the same for every bundle that loads them: listed once per build (`listed`). */
function contributingOnce(listed, request, key, inputs) {
  const id = `${request.resolveDir}\0${key}`;
  let files = listed.get(id);
  if (!files) listed.set(id, (files = contributing(request, inputs)));
  return files;
}

/** Files that contribute code to an output (the metafile also lists files parsed and then tree-shaken away). */
function contributing(request, inputs) {
  return Object.entries(inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([i]) => (i.startsWith(`${ENTRY_NS}:`) ? ENTRY_FILE : (copiedFile(i) ?? i)))
    .map((i) => relative(process.cwd(), isAbsolute(i) ? i : join(request.resolveDir, i)));
}

/**
 * Writes one bundle (its entry as `index.mjs` and the chunks it loads, side by side) to its
 * content-addressed directory. Chunks are named by esbuild after their content, so the directory's
 * hash covers the entry's bytes and the chunks' names only, and each chunk is written once under
 * `chunks/` and hard-linked into every bundle that loads it (a thousand tasks share one SDK on
 * disk). CDK is told the hash and skips fingerprinting the files again.
 */
function writeBundle(request, code, facts) {
  const hash = createHash("sha256").update(code[0].contents);
  for (const { name } of code.slice(1)) hash.update("\0").update(name);
  const assetHash = hash.digest("hex").slice(0, 20);
  const dir = join(request.outRoot, assetHash);
  // A new directory (the usual case: one call, not a stat and a recursive mkdir), or an existing
  // one without index.mjs (a build that stopped half way), is written.
  if (madeDir(dir) || !existsSync(join(dir, "index.mjs"))) {
    // Chunks first, index.mjs last, each complete before it appears: a concurrent synth writing
    // the same bundle never sees half a file, and a directory with index.mjs is complete.
    for (const { name, contents } of code.slice(1)) linkOrCopy(sharedChunk(request.outRoot, name, contents), join(dir, name));
    writeAtomically(join(dir, "index.mjs"), code[0].contents, true);
  }
  const bytes = code.reduce((n, f) => n + f.contents.byteLength, 0);
  // `files`: the directory's names, so staging it in the cloud assembly needs no directory listing.
  return { dir, assetHash, bytes, initBytes: facts.staticBytes, inputs: facts.inputs, files: code.map((f) => f.name) };
}

/** Makes `dir` (and its parents when missing); false if it exists already. */
function madeDir(dir) {
  try {
    mkdirSync(dir);
    return true;
  } catch (error) {
    if (error.code === "EEXIST") return false;
    if (error.code !== "ENOENT") throw error;
    mkdirSync(dir, { recursive: true });
    return true;
  }
}

/** Chunks known to be on disk, by path: a thousand bundles link the same few dozen. */
const chunksOnDisk = new Set();

/** `chunks/<name>` under `outRoot`, written unless it is there already (same name, same content). */
function sharedChunk(outRoot, name, contents) {
  const file = join(outRoot, "chunks", name);
  if (!chunksOnDisk.has(file)) {
    if (!existsSync(file)) writeAtomically(file, contents);
    chunksOnDisk.add(file);
  }
  return file;
}

function writeAtomically(file, contents, inExistingDir = false) {
  const tmp = `${file}.${process.pid}.tmp`;
  if (!inExistingDir) mkdirSync(dirname(tmp), { recursive: true });
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** Hard-links `from` to `to`, in an existing directory (a copy across file systems); an existing `to` is the same chunk. */
function linkOrCopy(from, to) {
  try {
    linkSync(from, to);
  } catch (error) {
    if (error.code === "EEXIST") return;
    if (error.code !== "EXDEV" && error.code !== "EPERM") throw error;
    copyFileSync(from, to);
  }
}

/**
 * Requests that can share a build. A pure file that imports the define API is annotated in every
 * build anyway, so adding it to the union changes nothing; any other pure file (a task module
 * importing `task` another way) would be annotated in the other requests' bundles too, so it
 * goes into the key.
 */
function groupKey(request) {
  const own = request.pureFiles.filter((f) => !importsDefineApi(f));
  return JSON.stringify([request.bundleAwsSdk, [...new Set(own)].sort()]);
}

/** Per file, read once: every task of a 1,000-task module names that module (it was read and scanned per task). */
const definesTasks = new Map();

function importsDefineApi(file) {
  let found = definesTasks.get(file);
  if (found === undefined) {
    found = existsSync(file) && stepflowImports(readFileSync(file, "utf8")).length > 0;
    definesTasks.set(file, found);
  }
  return found;
}

/**
 * Builds `requests` and returns what the worker prints (see the top of this file). Each call starts
 * with empty caches, as a new worker process does: the test suite runs it in one worker thread per
 * test process (test/support/bundle-thread.ts), keeping esbuild's service and TypeScript loaded.
 */
export async function buildAll(requests) {
  chunksOnDisk.clear();
  definesTasks.clear();
  const groups = new Map();
  requests.forEach((request, index) => {
    const key = groupKey(request);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  const bundles = [];
  // The pure files decide the groups (`importsDefineApi`), read or not by esbuild.
  const sources = new Set(requests.flatMap((r) => r.pureFiles).map((f) => resolve(f)));
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const built = await bundleGroup(indexes.map((i) => requests[i]));
      indexes.forEach((index, i) => {
        bundles[index] = built.bundles[i];
      });
      for (const file of built.sources) sources.add(file);
    }),
  );
  // Input files once, bundles naming them by index: a thousand bundles share most of their inputs
  // (the runtime and the SDK), which spelled out in each made 67 MB of output.
  const files = [];
  const fileIndex = new Map();
  const indexOf = (file) => {
    if (!fileIndex.has(file)) fileIndex.set(file, files.push(file) - 1);
    return fileIndex.get(file);
  };
  // The inputs of the chunks many bundles share (one array per chunk closure) once, as `inputSets`.
  const inputSets = [];
  const setIndex = new Map();
  const setOf = (shared) => {
    if (!setIndex.has(shared)) setIndex.set(shared, inputSets.push(shared.map(indexOf)) - 1);
    return setIndex.get(shared);
  };
  return JSON.stringify({
    files,
    inputSets,
    bundles: bundles.map(({ shared, ...b }) => ({ ...b, inputs: b.inputs.map(indexOf), inputSet: shared && setOf(shared) })),
    sources: [...sources],
  });
}

// Run as a process (bundle.ts's spawnWorker): argv[1] as given may pass through a symlink
// (pnpm, `npm link`, --preserve-symlinks) that import.meta.url has resolved.
if (isMain(process.argv[1])) {
  process.stdout.write(await buildAll(JSON.parse(readFileSync(0, "utf8")).requests));
}

/** Whether `script` (the process's argv[1]) is this file, symlinks resolved. */
function isMain(script) {
  try {
    return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
