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
