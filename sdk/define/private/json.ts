import { isRef } from "../ref.ts";

/**
 * True when `value` is an array or plain object with a ref somewhere inside (arrays and plain
 * objects only: refs inside a class instance are reported by `jsonProblem`).
 */
export function holdsRef(value: unknown, seen = new Set<object>()): boolean {
  if (typeof value !== "object" || value === null || seen.has(value)) return false;
  if (isRef(value)) return true;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return false;
  seen.add(value);
  return Object.values(value).some((v) => holdsRef(v, seen));
}

/** Why `value` cannot be sent as JSON, or undefined when it can (a description with its path). */
export function jsonProblem(value: unknown, path = "", seen = new Set<object>()): string | undefined {
  const at = path ? ` at \`${path}\`` : "";
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `the number ${value}${at}, which JSON cannot represent`;
    case "undefined":
      return `undefined${at}`;
    case "bigint":
    case "symbol":
    case "function":
      return `a ${typeof value}${at}`;
  }
  if (value === null) return undefined;
  const obj = value as object;
  if (seen.has(obj)) return `a circular structure${at}`;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++) {
        const p = jsonProblem(obj[i], `${path}[${i}]`, seen);
        if (p) return p;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      return `an instance of \`${obj.constructor?.name ?? "unknown"}\`${at}`;
    }
    for (const [k, v] of Object.entries(obj)) {
      const p = jsonProblem(v, path ? `${path}.${k}` : k, seen);
      if (p) return p;
    }
    return undefined;
  } finally {
    seen.delete(obj);
  }
}
