/**
 * An esbuild plugin that marks a flow module's stepflow calls `/* @__PURE__ *\/`.
 *
 * A flow module defines several tasks and flows: `export const a = task("a", fnA)`. To
 * esbuild each `task(...)` call may have side effects, so a bundle that imports only `a`
 * would keep `fnB`, `fnC` and every module they import. esbuild's `pure` option only applies
 * to global names, not imported ones (measured), so the annotation is injected into the source:
 * an unused, pure-annotated call is dropped together with everything only it references.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Loader, Plugin } from "esbuild";

const PURE = "/* @__PURE__ */ ";
/** Imports from the define API, by package name or path. */
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*["'](stepflow|[^"']*sdk(?:\/index)?(?:\.ts)?)["']/g;
/** Calls whose value is used (after `=`, `(`, `,`, `:` or `[`), i.e. never a bare statement. */
const used = (callee: string) => new RegExp(`([=(,:[]\\s*)(${callee}\\s*\\()`, "g");

/** The names a module imports from stepflow's define API (local names, after `as`). */
export function stepflowImports(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    for (const part of match[1].split(",")) {
      const name = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .at(-1)
        ?.trim();
      if (name && !part.trim().startsWith("type ")) names.push(name);
    }
  }
  return names;
}

/** Adds `@__PURE__` before used calls of stepflow functions and before `x.with(...)`. */
export function annotatePure(source: string): string {
  const names = stepflowImports(source).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  let out = source;
  for (const name of names) out = out.replace(used(`(?<![\\w$.])${name}`), `$1${PURE}$2`);
  return out.replace(used("[A-Za-z_$][\\w$]*\\.with"), `$1${PURE}$2`);
}

const LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
};

/** The plugin: annotates the given files (absolute paths) as they load. */
export function purePlugin(files: readonly string[]): Plugin {
  const wanted = new Set(files);
  return {
    name: "stepflow-pure",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        if (!wanted.has(args.path)) return undefined;
        const loader = LOADERS[extname(args.path)] ?? "ts";
        return { contents: annotatePure(readFileSync(args.path, "utf8")), loader };
      });
    },
  };
}
