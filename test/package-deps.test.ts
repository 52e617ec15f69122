/**
 * What an app that installs stepflow gets: every package the source imports at run time (static,
 * dynamic, re-exports; type-only imports aside) is a dependency or a peer dependency, so
 * `npm install stepflow` in a project without this repository's dev dependencies still loads
 * every entry. aws-cdk-lib and constructs are optional peers, as for any CDK construct library:
 * the app brings its own, and only `stepflow/cdk` and `stepflow/rehearse` (infra) import them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
}
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;

/**
 * Dev-only on purpose, each under one folder that does without it or names the install: the IAM
 * evaluator is AGPL-3.0, loaded by `stepflow rehearse` alone (sdk/cli/commands/rehearse.ts says
 * what to install); TypeScript is loaded in a `try` by the bundler (without it, a module defining
 * many tasks is copied whole into each task's bundle: infra/private/bundle-slices.mjs).
 */
const DEV_ONLY: Readonly<Record<string, string>> = {
  "@cloud-copilot/iam-simulate": "infra/rehearse/",
  typescript: "infra/private/",
};

/** The package a bare specifier names (`@scope/name` or `name`), or undefined for relative, built-in and self imports. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith(".") || spec.startsWith("node:")) return undefined;
  const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
  return builtinModules.includes(name) || name === "stepflow" ? undefined : name;
}

/** Whether an import declaration brings in no value (`import type`, or only `type` named imports). */
function typeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** Run-time package imports of one source text. */
function runtimeImports(fileName: string, text: string): string[] {
  const found: string[] = [];
  const add = (spec: string) => {
    const name = packageOf(spec);
    if (name) found.push(name);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!typeOnly(node.importClause)) add(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      // import("x"), createRequire(...)("x"), createRequire(...).resolve("x")
      const callee = node.expression;
      const required = (e: ts.Expression) =>
        ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "createRequire";
      const resolved = ts.isPropertyAccessExpression(callee) && callee.name.text === "resolve" && required(callee.expression);
      if (callee.kind === ts.SyntaxKind.ImportKeyword || required(callee) || resolved) {
        add(node.arguments[0].text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false));
  return found;
}

/** Each imported package and the source files (sdk, functions, infra) importing it at run time. */
function importers(): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const dir of ["sdk", "functions", "infra"]) {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !/\.(ts|tsx|mjs)$/.test(entry.name) || entry.name.endsWith(".d.ts")) continue;
      const file = relative(ROOT, join(entry.parentPath, entry.name)).replaceAll("\\", "/");
      for (const name of new Set(runtimeImports(file, readFileSync(join(ROOT, file), "utf8")))) {
        byPackage.set(name, [...(byPackage.get(name) ?? []), file]);
      }
    }
  }
  return byPackage;
}

describe("package dependencies", () => {
  const used = importers();

  it("reads value imports and skips type-only ones", () => {
    const text = [
      'import { a } from "pkg-a";',
      'import type { B } from "pkg-b";',
      'import { type C } from "pkg-c";',
      'export { d } from "@scope/pkg-d/sub";',
      'const e = await import("pkg-e");',
      'const g = createRequire(import.meta.url)("pkg-g"); createRequire(here).resolve("pkg-h"); other("pkg-i");',
      'import { f } from "node:fs"; import "./local.ts"; import "stepflow/local";',
    ].join("\n");
    expect(runtimeImports("x.ts", text)).toEqual(["pkg-a", "@scope/pkg-d", "pkg-e", "pkg-g", "pkg-h"]);
    expect(used.get("aws-cdk-lib")?.length).toBeGreaterThan(5);
  });

  it("declares every package the source imports as a dependency or a peer dependency", () => {
    const undeclared = [...used]
      .filter(([name]) => !(name in PKG.dependencies) && !(name in PKG.peerDependencies) && !(name in DEV_ONLY))
      .map(([name, files]) => `${name} (imported by ${files[0]}): add it to dependencies`);
    expect(undeclared).toEqual([]);
  });

  it("keeps the dev-only packages to the one lazy command that needs them", () => {
    for (const [name, under] of Object.entries(DEV_ONLY)) {
      expect(PKG.devDependencies[name]).toBeDefined();
      expect(used.get(name)?.filter((f) => !f.startsWith(under))).toEqual([]);
    }
  });

  it("takes aws-cdk-lib and constructs from the app as optional peers, imported by infra only", () => {
    for (const name of ["aws-cdk-lib", "constructs"]) {
      expect(PKG.peerDependenciesMeta[name]?.optional).toBe(true);
      // This repository installs them for its own app and tests, within the range it asks of users.
      const [peerMajor] = PKG.peerDependencies[name].replace(/^\^/, "").split(".");
      expect(PKG.devDependencies[name].replace(/^\^/, "").split(".")[0]).toBe(peerMajor);
      expect(used.get(name)?.filter((f) => !f.startsWith("infra/"))).toEqual([]);
    }
  });
});
