/**
 * Per-task slices of a task module for the bundle worker (see `bundle-copies.mjs`). Each task's
 * entry gets its own copy of the module that defines it, tree-shaken by esbuild for that task
 * alone; when one module defines many tasks (a 1,000-task flow), esbuild parsed and linked a
 * thousand copies of a thousand-task module, which made bundling quadratic (11-12 min).
 *
 * The module is parsed once (TypeScript's parser, after the pure annotation) into its top-level
 * statements, and each task's copy keeps only what esbuild could not drop from it anyway:
 * - every statement that is not a declaration free of side effects (imports, expression
 *   statements, `export { }` lists, enums, any declaration whose initializer may have effects),
 * - the statement that declares the task's export,
 * - and every statement declaring a name the kept statements mention (identifiers matched by
 *   name, so shadowing only keeps more).
 * "Free of side effects" is a subset of esbuild's own rule (literals, functions, names of the
 * module, object and array literals of those, calls marked `@__PURE__` with such arguments), so
 * a dropped statement is one esbuild's tree shaking would have dropped from the whole copy: the
 * bundle holds the same code, the copy is parsed at the size of the task.
 */
import { createRequire } from "node:module";

const PURE_COMMENT = /\/\*\s*[@#]__PURE__\s*\*\//;
let ts;
const modules = new Map();

/** `source` (pure-annotated) of `file`, cut to what export `name` needs; undefined when it cannot be cut. */
export function sliceFor(file, source, name) {
  let parsed = modules.get(file);
  if (!parsed || parsed.source !== source) {
    // Without `typescript` installed, each task gets the whole copy (the same bundle, built slower).
    if (!loadTypescript()) return undefined;
    parsed = parse(file, source);
    modules.set(file, parsed);
  }
  const own = parsed.declaring.get(name);
  if (own === undefined) return undefined;
  const keep = new Set(parsed.rootClosure);
  close(parsed, [own], keep);
  return [...keep]
    .sort((a, b) => a - b)
    .map((i) => parsed.texts[i])
    .join("");
}

/** TypeScript's parser, when the project has it. */
function loadTypescript() {
  if (ts === undefined) {
    try {
      ts = createRequire(import.meta.url)("typescript");
    } catch {
      ts = null;
    }
  }
  return ts !== null;
}

function parse(file, source) {
  const kind = /\.[cm]?tsx$|\.jsx$/.test(file) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
  const statements = sf.statements;
  const declaring = new Map();
  const declared = statements.map((s) => declaredNames(s));
  declared.forEach((names, i) => names.forEach((n) => declaring.set(n, i)));
  const topNames = new Set(declaring.keys());
  for (const s of statements) if (ts.isImportDeclaration(s)) importNames(s).forEach((n) => topNames.add(n));
  const refs = statements.map((s) => [...mentions(s, topNames)].flatMap((n) => (declaring.has(n) ? [declaring.get(n)] : [])));
  const texts = statements.map((s, i) => source.slice(i === 0 ? 0 : s.pos, s.end));
  // Trailing comments and whitespace after the last statement: harmless, kept out.
  const parsed = { source, texts, refs, declaring, rootClosure: new Set() };
  const roots = statements.flatMap((s, i) => (removable(s, source, topNames) ? [] : [i]));
  close(parsed, roots, parsed.rootClosure);
  return parsed;
}

/** Adds `from` and every statement they mention, transitively, to `keep`. */
function close(parsed, from, keep) {
  const todo = from.filter((i) => !keep.has(i));
  todo.forEach((i) => keep.add(i));
  while (todo.length > 0) {
    for (const j of parsed.refs[todo.pop()]) {
      if (!keep.has(j)) {
        keep.add(j);
        todo.push(j);
      }
    }
  }
}

/** Top-level names a statement declares (the local names; `export` lists declare none). */
function declaredNames(s) {
  if (ts.isVariableStatement(s)) return s.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) return [s.name.text];
  return [];
}

function bindingNames(name) {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

function importNames(s) {
  const clause = s.importClause;
  if (!clause) return [];
  const names = clause.name ? [clause.name.text] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
  if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => e.name.text));
  return names;
}

/** Identifier names in `node` that are top-level names of the module. */
function mentions(node, topNames, out = new Set()) {
  if (ts.isIdentifier(node)) {
    if (topNames.has(node.text)) out.add(node.text);
    return out;
  }
  ts.forEachChild(node, (child) => void mentions(child, topNames, out));
  return out;
}

/** A declaration esbuild drops when nothing uses it: no side effect in declaring it. */
function removable(s, source, topNames) {
  if (hasModifier(s, ts.SyntaxKind.DeclareKeyword)) return true;
  if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) return true;
  if (ts.isFunctionDeclaration(s)) return s.name !== undefined && !hasModifier(s, ts.SyntaxKind.DefaultKeyword);
  if (ts.isVariableStatement(s)) {
    return s.declarationList.declarations.every(
      (d) => ts.isIdentifier(d.name) && (d.initializer === undefined || sideEffectFree(d.initializer, source, topNames)),
    );
  }
  return false;
}

function hasModifier(node, kind) {
  return (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).some((m) => m.kind === kind);
}

/** A subset of what esbuild treats as free of side effects. */
function sideEffectFree(e, source, topNames) {
  const free = (x) => sideEffectFree(x, source, topNames);
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e))
    return free(e.expression);
  if (ts.isTypeAssertionExpression(e)) return free(e.expression);
  if (ts.isStringLiteral(e) || ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))
    return true;
  const k = e.kind;
  if (k === ts.SyntaxKind.TrueKeyword || k === ts.SyntaxKind.FalseKeyword || k === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return true;
  if (ts.isIdentifier(e)) return topNames.has(e.text) || e.text === "undefined";
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && free(x));
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => propertyFree(p, free));
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) return markedPure(e, source) && (e.arguments ?? []).every((a) => !ts.isSpreadElement(a) && free(a));
  return false;
}

function propertyFree(p, free) {
  if (p.name && ts.isComputedPropertyName(p.name)) return false;
  if (ts.isPropertyAssignment(p)) return free(p.initializer);
  if (ts.isShorthandPropertyAssignment(p)) return free(p.name);
  return ts.isMethodDeclaration(p);
}

/** The call carries a `/* @__PURE__ *\/` comment just before it (between the previous token and the call). */
function markedPure(call, source) {
  return PURE_COMMENT.test(source.slice(call.pos, call.getStart()));
}
