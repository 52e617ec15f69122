/**
 * Builds Lambda bundles with esbuild's async API, in a child process: `bundle.ts` runs it
 * with `execFileSync` because esbuild refuses plugins in `buildSync`, and CDK constructors are
 * synchronous. Plain JavaScript so it starts with bare `node` (no TypeScript loader), ~50 ms.
 * Requests are built together, one esbuild build per group (see `groupKey`), so the code the
 * bundles share is parsed once: 23 bundles in one build take about a third of 23 builds.
 *
 * stdin: `{ requests: BundleRequest[] }`; stdout: `{ bundles: Bundle[] }` in the same order.
 *
 * The plugin marks a flow module's stepflow calls `/* @__PURE__ *\/`. A flow module defines
 * several tasks: `export const a = task("a", fnA)`. To esbuild each `task(...)` call may have
 * side effects, so a bundle that imports only `a` would keep `fnB`, `fnC` and all they import.
 * esbuild's `pure` option only covers global names, not imported ones (measured), so the
 * annotation is injected into the source; an unused pure call is dropped with everything only
 * it references.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { extname, join, relative, sep } from "node:path";
import { build } from "esbuild";

const PURE = "/* @__PURE__ */ ";
/** Imports from the define API, by package name or path. */
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*["'](stepflow|[^"']*sdk(?:\/index)?(?:\.ts)?)["']/g;
/** Calls whose value is used (after `=`, `(`, `,`, `:` or `[`), never a bare statement. */
const used = (callee) => new RegExp(`([=(,:[]\\s*)(${callee}\\s*\\()`, "g");
const LOADERS = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
};

/** The local names a module imports from stepflow's define API (value imports only). */
function stepflowImports(source) {
  const names = [];
  for (const match of source.matchAll(IMPORT)) {
    for (const part of match[1].split(",")) {
      const spec = part.trim();
      if (!spec || spec.startsWith("type ")) continue;
      const name = spec
        .split(/\s+as\s+/)
        .at(-1)
        .trim();
      if (/^[A-Za-z_$][\w$]*$/.test(name)) names.push(name);
    }
  }
  return names;
}

/** Local names of zod (`import { z } from "zod"`, `import * as z from "zod"`, `import z from "zod"`). */
function zodImports(source) {
  const names = [];
  for (const m of source.matchAll(/import\s+(?:\*\s+as\s+)?(\w+)\s+from\s*["']zod(?:\/v4)?["']/g))
    names.push(m[1]);
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']zod(?:\/v4)?["']/g)) {
    for (const part of m[1].split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .at(-1)
        ?.trim();
      if (name === "z") names.push(name);
    }
  }
  return names;
}

/**
 * Adds `@__PURE__` before used calls of stepflow functions, `x.with(...)` and zod schema
 * builders (`z.object(...)`): a pure call whose arguments have side effects is kept whole, so
 * the schemas in a flow's options must be pure too for the flow to be dropped. The cost: a
 * zod call whose value is unused is assumed to have no side effects (true of schema builders).
 */
function annotatePure(source) {
  let out = source;
  for (const name of stepflowImports(source)) out = out.replace(used(`(?<![\\w$.])${name}`), `$1${PURE}$2`);
  for (const name of zodImports(source))
    out = out.replace(used(`(?<![\\w$.])${name}\\.[\\w$]+`), `$1${PURE}$2`);
  return out.replace(used("(?<![\\w$.])[A-Za-z_$][\\w$]*\\.with"), `$1${PURE}$2`);
}

/**
 * Marks the task's own module and every other user module that defines flows or tasks (it
 * imports stepflow's define API): a flow imported as a subflow must not drag its tasks in.
 */
function purePlugin(files) {
  const wanted = new Set(files);
  return {
    name: "stepflow-pure",
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, "utf8");
        if (!wanted.has(args.path) && stepflowImports(source).length === 0) return undefined;
        return { contents: annotatePure(source), loader: LOADERS[extname(args.path)] ?? "ts" };
      });
    },
  };
}

// CommonJS dependencies inside an ES module bundle may still call `require` (esbuild then emits a
// shim that throws "Dynamic require of ... is not supported" unless a `require` exists). Only those
// bundles get one: importing `node:module` costs every other Lambda init time for nothing.
const REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);\n";

function withRequire(code) {
  const text = Buffer.from(code.buffer, code.byteOffset, code.byteLength);
  if (!text.includes("Dynamic require of")) return code;
  return Buffer.concat([Buffer.from(REQUIRE_BANNER), text]);
}

/** The namespace of the generated entries: module `i` is request `i`'s `source`. */
const ENTRY_NS = "stepflow-entry";
/** The generated entry's name in a bundle's `inputs`, whichever request it is. */
const ENTRY_FILE = "stepflow-entry.ts";

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
 * One build for several requests: esbuild parses the shared code (the runtime, zod, the flow
 * modules) once and links each entry on its own (no splitting), so every output is what a
 * build of that entry alone gives. The pure plugin sees the union of the requests' `pureFiles`;
 * `groupKey` keeps that union from changing what any one request would have had.
 */
async function bundleGroup(requests) {
  const result = await build({
    entryPoints: requests.map((_, i) => ({ in: `${ENTRY_NS}:${i}`, out: `${i}/index` })),
    outdir: "stepflow-out",
    outExtension: { ".js": ".mjs" },
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
    plugins: [entryPlugin(requests), purePlugin(requests.flatMap((r) => r.pureFiles))],
    logLevel: "silent",
  });
  const files = new Map(result.outputFiles.map((f) => [relative(process.cwd(), f.path).split(sep).join("/"), f]));
  return requests.map((request, i) => {
    const key = `stepflow-out/${i}/index.mjs`;
    return writeBundle(request, files.get(key).contents, result.metafile.outputs[key].inputs);
  });
}

/** Writes one output to its content-addressed directory; `contributing` is its metafile `inputs`. */
function writeBundle(request, contents, contributing) {
  const code = withRequire(contents);
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 20);
  const dir = join(request.outRoot, hash);
  if (!existsSync(join(dir, "index.mjs"))) {
    mkdirSync(dir, { recursive: true });
    // Write then rename: a concurrent synth writing the same bundle never sees half a file.
    const tmp = join(dir, `index.mjs.${process.pid}.tmp`);
    writeFileSync(tmp, code);
    renameSync(tmp, join(dir, "index.mjs"));
  }
  // Files that contribute code (the metafile also lists files parsed and then tree-shaken away).
  const inputs = Object.entries(contributing)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([i]) => (i.startsWith(`${ENTRY_NS}:`) ? ENTRY_FILE : i))
    .map((i) => relative(process.cwd(), join(request.resolveDir, i)));
  return { dir, bytes: code.byteLength, inputs };
}

/**
 * Requests that can share a build. A pure file that imports the define API is annotated in every
 * build anyway, so adding it to the union changes nothing; any other pure file (a task module
 * importing `task` another way) would be annotated in the other requests' bundles too, so it
 * goes into the key.
 */
function groupKey(request) {
  const own = request.pureFiles.filter(
    (f) => !existsSync(f) || stepflowImports(readFileSync(f, "utf8")).length === 0,
  );
  return JSON.stringify([request.bundleAwsSdk, [...new Set(own)].sort()]);
}

const { requests } = JSON.parse(readFileSync(0, "utf8"));
const groups = new Map();
requests.forEach((request, index) => {
  const key = groupKey(request);
  const group = groups.get(key);
  if (group) group.push(index);
  else groups.set(key, [index]);
});
const bundles = [];
await Promise.all(
  [...groups.values()].map(async (indexes) => {
    const built = await bundleGroup(indexes.map((i) => requests[i]));
    indexes.forEach((index, i) => {
      bundles[index] = built[i];
    });
  }),
);
process.stdout.write(JSON.stringify({ bundles }));
