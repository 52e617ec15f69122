/**
 * The layering of DESIGN.md §4, checked on the import graph of every source file (type-only
 * imports included: they tie the layers as tightly for a reader). A leaf of shared wire contract
 * (`sdk/core`) ← the Lambda runtime (`functions`) ← the SDK (define → graph → compile; local,
 * client, cli, testing on top) ← infra; no import circles.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The package's own entries (`stepflow`, `stepflow/runtime`, ...), which infra imports by name. */
const ENTRIES = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string> })
  .exports;

/** The define → graph → compile pipeline and what it stands on. */
const PIPELINE = ["sdk/core", "sdk/duration", "sdk/graph", "sdk/define", "sdk/compile"];
/** What the SDK's tools (local, client, testing, ui, cli) may use: the pipeline and the runtime. */
const TOOLS_BASE = [...PIPELINE, "functions"];

/** Each area and the areas it may import (besides itself). Upper areas list every lower one. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  "sdk/core": [],
  functions: ["sdk/core"],
  "sdk/duration": ["sdk/core"],
  "sdk/graph": ["sdk/core"],
  "sdk/define": ["sdk/core", "sdk/duration", "sdk/graph"],
  "sdk/compile": ["sdk/core", "sdk/duration", "sdk/graph"],
  "sdk/index": PIPELINE,
  "sdk/local": TOOLS_BASE,
  "sdk/client": TOOLS_BASE,
  "sdk/testing": [...TOOLS_BASE, "sdk/local", "sdk/client"],
  "sdk/ui": [...TOOLS_BASE, "sdk/local", "sdk/client"],
  "sdk/cli": [...TOOLS_BASE, "sdk/local", "sdk/client", "sdk/ui"],
  infra: [...TOOLS_BASE, "sdk/index", "sdk/local", "sdk/client", "flows"],
  flows: [],
  // The ESLint plugin reads types through TypeScript's API; of stepflow it needs only the errors.
  "sdk/eslint": ["sdk/core"],
};

/**
 * The one import against the layers, on purpose: `stepflow rehearse` loads the rehearsal (infra,
 * with aws-cdk-lib) lazily, only when that command runs; nothing in infra imports the CLI.
 */
const EXCEPTIONS: ReadonlySet<string> = new Set(["sdk/cli/commands/rehearse.ts -> infra/rehearse/index.ts"]);

/** The area of a repository path: `sdk/<dir>` (or `sdk/<file>` without `.ts`), else its top folder. */
function areaOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] !== "sdk") return parts[0];
  return `sdk/${parts[1].replace(/\.ts$/, "")}`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Relative imports of every source file (static, dynamic, type-only, re-exports), as repository paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ["sdk", "functions", "infra"].flatMap(sourceFiles)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
    graph.set(
      file,
      importedFiles
        .map((i) => i.fileName)
        .flatMap((spec) => {
          if (spec.startsWith(".")) return [normalize(join(dirname(file), spec))];
          const entry = ENTRIES[spec.replace(/^stepflow/, ".")];
          return entry ? [normalize(entry)] : [];
        }),
    );
  }
  return graph;
}

/** Import circles: strongly connected components of more than one file, or a file importing itself. */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("import direction", () => {
  const graph = importGraph();

  it("finds the source files and their imports", () => {
    expect(graph.get("functions/task-handler.ts")).toContain("sdk/core/protocol.ts");
    expect(graph.size).toBeGreaterThan(100);
  });

  it("has every area's imports point at itself or an allowed lower area", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = areaOf(file);
      const allowed = ALLOWED[from];
      if (!allowed) {
        upward.push(`${file}: area \`${from}\` has no rule; add it to ALLOWED`);
        continue;
      }
      for (const target of targets) {
        const to = areaOf(target);
        if (to === from || allowed.includes(to) || EXCEPTIONS.has(`${file} -> ${target}`)) continue;
        upward.push(`${file} -> ${target} (${from} -> ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps the Lambda runtime on sdk/core alone, and the SDK off the runtime's entry", () => {
    const runtimeEntry = [...graph].filter(([f, t]) => f.startsWith("sdk/") && t.includes("functions/index.ts"));
    expect(runtimeEntry.map(([f]) => f)).toEqual([]);
  });

  it("leaves the local engine to the local runner: only sdk/local imports aws-local-stepfunctions", () => {
    const engineUsers = ["sdk", "functions", "infra"]
      .flatMap(sourceFiles)
      .filter((f) => ts.preProcessFile(readFileSync(join(ROOT, f), "utf8"), true, true).importedFiles.some((i) => i.fileName === "aws-local-stepfunctions"));
    expect(engineUsers.length).toBeGreaterThan(0);
    expect(engineUsers.filter((f) => areaOf(f) !== "sdk/local")).toEqual([]);
  });

  it("has no import circles", () => {
    expect(circles(graph)).toEqual([]);
  });

  it("detects a circle and an upward import when there is one", () => {
    const bad = new Map([
      ["sdk/core/a.ts", ["sdk/define/b.ts"]],
      ["sdk/define/b.ts", ["sdk/core/a.ts"]],
    ]);
    expect(circles(bad)).toEqual([["sdk/core/a.ts", "sdk/define/b.ts"]]);
    expect(ALLOWED[areaOf("sdk/core/a.ts")]).not.toContain(areaOf("sdk/define/b.ts"));
  });
});
