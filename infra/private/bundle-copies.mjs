/**
 * Per-task copies of user modules for the bundle worker's split build (see `bundle-worker.mjs`).
 * esbuild splits code between entries by file: a flow module that defines tasks `a` and `b`,
 * reached from both tasks' entries, would go whole into a chunk both load, so `a`'s Lambda would
 * hold `b`'s code. Each entry therefore gets its own copy of every user module it reaches (a
 * module outside `node_modules` and outside stepflow's runtime): the copy is tree-shaken for that
 * entry alone, as a build of that entry alone would be. Only stepflow's runtime and packages are
 * shared between tasks' chunks.
 */
import { readFileSync } from "node:fs";
import { dirname, extname, sep } from "node:path";
import { fileURLToPath, URL } from "node:url";
import { annotatePure, LOADERS, stepflowImports } from "./bundle-pure.mjs";
import { sliceFor } from "./bundle-slices.mjs";

/** The namespace of the copies: path `<entry>:<absolute file>`. */
const COPY_NS = "stepflow-copy";
/** stepflow's own runtime (and define API), shared by every bundle. */
const RUNTIME_DIRS = ["sdk", "functions"].map((d) => fileURLToPath(new URL(`../../${d}/`, import.meta.url)));

function isUserModule(path) {
  if (path.includes(`${sep}node_modules${sep}`)) return false;
  if (RUNTIME_DIRS.some((d) => path.startsWith(d))) return false;
  return extname(path) in LOADERS;
}

/** The entry a module belongs to, when it is an entry (`entryNs`) or a copy. */
function entryOf(args, entryNs) {
  if (args.namespace === entryNs) return args.importer;
  if (args.namespace === COPY_NS) return args.importer.slice(0, args.importer.indexOf(":"));
  return undefined;
}

/** The absolute file of an esbuild input named `stepflow-copy:<entry>:<file>`, else undefined. */
export function copiedFile(input) {
  if (!input.startsWith(`${COPY_NS}:`)) return undefined;
  const rest = input.slice(COPY_NS.length + 1);
  return rest.slice(rest.indexOf(":") + 1);
}

/**
 * Resolves imports made by an entry (namespace `entryNs`, path `<entry>`) or by a copy to a
 * copy of their own when the target is a user module; `pureFiles` get the pure annotation.
 * `sliceOf(entry, file)` names the one export of `file` that entry needs, when the copy may be
 * cut to it (`bundle-slices.mjs`); undefined keeps the whole module.
 */
export function copyPlugin(entryNs, pureFiles, sliceOf = () => undefined) {
  const wanted = new Set(pureFiles);
  return {
    name: "stepflow-copies",
    setup(b) {
      // What an import resolves to, by importer, directory, kind and path: every entry (and every
      // copy of one file) makes the same imports, so esbuild resolves each once, not once per task.
      const resolved = new Map();
      const resolveOnce = (args, importer) => {
        const key = JSON.stringify([importer ?? "", args.resolveDir, args.kind, args.path]);
        let real = resolved.get(key);
        if (!real) {
          real = b.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            importer,
            pluginData: { stepflowCopy: true },
          });
          resolved.set(key, real);
        }
        return real;
      };
      const onResolve = async (args) => {
        const entry = args.pluginData?.stepflowCopy ? undefined : entryOf(args, entryNs);
        if (entry === undefined) return undefined;
        const importer = args.namespace === COPY_NS ? copiedFile(`${COPY_NS}:${args.importer}`) : undefined;
        const real = await resolveOnce(args, importer);
        if (real.errors.length > 0) return { errors: real.errors };
        if (real.external || real.namespace !== "file" || !isUserModule(real.path)) return real;
        return { path: `${entry}:${real.path}`, namespace: COPY_NS };
      };
      // Imports made by entries and copies only: the thousands made inside packages and the
      // runtime are resolved by esbuild alone, without a call into this process each.
      b.onResolve({ filter: /.*/, namespace: entryNs }, onResolve);
      b.onResolve({ filter: /.*/, namespace: COPY_NS }, onResolve);
      // Each file is read and annotated once per build, not once per entry that copies it (a
      // 1,000-task module was read and annotated a thousand times).
      const sources = new Map();
      const load = (file) => {
        let loaded = sources.get(file);
        if (!loaded) {
          const source = readFileSync(file, "utf8");
          const pure = wanted.has(file) || stepflowImports(source).length > 0;
          sources.set(file, (loaded = { pure, contents: pure ? annotatePure(source) : source }));
        }
        return loaded;
      };
      b.onLoad({ filter: /.*/, namespace: COPY_NS }, (args) => {
        const file = copiedFile(`${COPY_NS}:${args.path}`);
        const { pure, contents: whole } = load(file);
        let contents = whole;
        const name = pure ? sliceOf(args.path.slice(0, args.path.indexOf(":")), file) : undefined;
        if (name !== undefined) contents = sliceFor(file, contents, name) ?? contents;
        return { contents, loader: LOADERS[extname(file)], resolveDir: dirname(file) };
      });
    },
  };
}
