/**
 * The public surface of each package entry (`stepflow`, `stepflow/runtime`, ...) as a reviewed
 * file: a change to what an entry exports shows as a diff of `test/api/report/<entry>.api.txt`.
 * Run `npx vitest run test/api -u` to accept a change on purpose.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTRIES = Object.entries(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string> }).exports,
).filter(([, file]) => file.endsWith(".ts"));

/** Every name an entry file exports, marked `type` when only a type, sorted. */
function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const node of source.statements) {
    if (ts.isExportDeclaration(node)) {
      if (!node.exportClause || !ts.isNamedExports(node.exportClause)) {
        names.push(`* from ${(node.moduleSpecifier as ts.StringLiteral).text}`);
        continue;
      }
      for (const e of node.exportClause.elements) names.push(`${node.isTypeOnly || e.isTypeOnly ? "type " : ""}${e.name.text}`);
    } else if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      const isType = ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node);
      const declared = ts.isVariableStatement(node)
        ? node.declarationList.declarations.map((d) => d.name.getText(source))
        : [(node as ts.DeclarationStatement).name?.getText(source) ?? "default"];
      names.push(...declared.map((n) => `${isType ? "type " : ""}${n}`));
    }
  }
  return names.sort((a, b) => a.replace(/^type /, "").localeCompare(b.replace(/^type /, "")));
}

describe("public API report", () => {
  it.each(ENTRIES)("entry `%s` exports exactly the reviewed names", async (entry, file) => {
    const names = exportedNames(file);
    const name = entry === "." ? "stepflow" : `stepflow-${entry.slice(2)}`;
    await expect(`${names.join("\n")}\n`).toMatchFileSnapshot(`report/${name}.api.txt`);
    // What the entry exports at run time is what the report lists as values.
    const values = Object.keys(await import(join(ROOT, file))).sort();
    expect(values).toEqual(names.filter((n) => !n.startsWith("type ")).sort());
  });
});
