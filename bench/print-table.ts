/** Output of the bench scripts. */

/** Prints rows (the first is the header) as an aligned table under `title`. */
export function printTable(title: string, rows: string[][]): void {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  console.log(`\n${title}`);
  for (const r of rows) console.log(`  ${r.map((cell, c) => (cell ?? "").padEnd(widths[c])).join("   ").trimEnd()}`);
}
