/**
 * Pure annotation of flow modules for the bundle worker (see `bundle-worker.mjs`): a flow module
 * defines several tasks (`export const a = task("a", fnA)`); to esbuild each `task(...)` call may
 * have side effects, so a bundle that imports only `a` would keep `fnB`, `fnC` and all they
 * import. esbuild's `pure` option only covers global names, not imported ones (measured), so the
 * annotation is injected into the source; an unused pure call is dropped with everything only it
 * references.
 */
import { readFileSync } from "node:fs";
import { extname, sep } from "node:path";

const PURE = "/* @__PURE__ */ ";
/** Imports from the define API, by package name or path. */
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*["'](stepflow|[^"']*sdk(?:\/index)?(?:\.ts)?)["']/g;
/** Calls whose value is used (after `=`, `(`, `,`, `:` or `[`), never a bare statement. */
const used = (callee) => new RegExp(`([=(,:[]\\s*)(${callee}\\s*\\()`, "g");
export const LOADERS = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
};

/** The local names a module imports from stepflow's define API (value imports only). */
export function stepflowImports(source) {
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
export function annotatePure(source) {
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
export function purePlugin(files) {
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
