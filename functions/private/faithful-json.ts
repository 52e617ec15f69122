/**
 * JSON text of a task result, refusing what JSON would silently change: a `Map` or `Set` (written
 * as `{}`), a function or symbol (dropped), `NaN` and `Infinity` (written as `null`), `undefined` in
 * a list (written as `null`) and class instances without `toJSON` (their class is lost). A `Date`
 * and anything else with `toJSON` is written by it, as typed (`Jsonify`): a `Date` is a string.
 * `undefined` as an object field is dropped, which reads back the same.
 */

/** Why a value JSON would change cannot be a result: the path inside it and the fix. */
export interface JsonChange {
  readonly path: string;
  readonly what: string;
}

/** `JSON.stringify(value)`, or the first change JSON would make, with its path (`rows[3].seen`). */
export function faithfulJson(value: unknown): { text: string } | { change: JsonChange } {
  const paths = new WeakMap<object, string>();
  let change: JsonChange | undefined;
  const text = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    if (change) return undefined;
    const holder = this as object;
    const base = paths.get(holder) ?? "";
    const path = Array.isArray(holder) ? `${base}[${key}]` : key === "" ? "" : base ? `${base}.${key}` : key;
    const what = changeOf(v, Array.isArray(holder));
    if (what) {
      change = { path: path || "(the result)", what };
      return undefined;
    }
    if (typeof v === "object" && v !== null) paths.set(v, path);
    return v;
  });
  return change ? { change } : { text: text ?? "null" };
}

function changeOf(v: unknown, inList: boolean): string | undefined {
  switch (typeof v) {
    case "function":
      return "a function, which JSON drops; return data, not code";
    case "symbol":
      return "a symbol, which JSON drops; return a string";
    case "number":
      return Number.isFinite(v) ? undefined : `the number ${v}, which JSON writes as \`null\`; return null or a string`;
    case "undefined":
      return inList ? "`undefined` in a list, which JSON writes as `null`; put `null` there" : undefined;
    case "object":
      return v === null ? undefined : objectChange(v);
  }
  return undefined;
}

function objectChange(v: object): string | undefined {
  if (v instanceof Map) return "a Map, which JSON writes as `{}`; return `Object.fromEntries(map)` or `[...map]`";
  if (v instanceof Set) return "a Set, which JSON writes as `{}`; return `[...set]`";
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v) || proto === Object.prototype || proto === null) return undefined;
  // Reached only without `toJSON` (stringify calls it first): the instance would lose its class.
  const name = (v as { constructor?: { name?: string } }).constructor?.name ?? "an object";
  return `an instance of \`${name}\`, which JSON turns into a plain object of its own fields; return a plain object (or give the class a \`toJSON\`)`;
}
