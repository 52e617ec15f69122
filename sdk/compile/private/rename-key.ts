/** Renaming a result key in emitted states: how a `when` branch's value task writes where the value is read. */
/**
 * Renames result key `from` to `to` in a state and every state nested in it: paths
 * (`$.results.x`, `$.outer.x`, a Parallel's `$[0].x`) and `x.$` template keys. Used on a branch's
 * states so its value task writes where the `when`'s value is read.
 */
export function renameKey(node: unknown, from: string, to: string): void {
  if (node === null || typeof node !== "object") return;
  const paths = new RegExp(`(\\$\\.results\\.|\\$\\.outer\\.|\\$\\[\\d+\\]\\.)${from}(?![A-Za-z0-9_])`, "g");
  const obj = node as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    let value = obj[key];
    if (typeof value === "string") value = value.replace(paths, `$1${to}`);
    else renameKey(value, from, to);
    if (key === `${from}.$`) {
      delete obj[key];
      obj[`${to}.$`] = value;
    } else obj[key] = value;
  }
}
