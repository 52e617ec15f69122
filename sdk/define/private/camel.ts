/**
 * The camelCase identifier a task or flow name suggests for its export, e.g. `get-data` → `getData`
 * (runs of `-`, `_` and `.` dropped, the next character upper-cased).
 */
export function camel(name: string): string {
  return name.replace(/[-_.]+(\w)/g, (_, c: string) => c.toUpperCase());
}
