/** Output of the bench scripts. */

/** Prints rows (the first is the header) as an aligned table under `title`. */
export function printTable(title: string, rows: string[][]): void {
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  console.log(`\n${title}`);
  for (const r of rows) console.log(`  ${r.map((cell, c) => (cell ?? "").padEnd(widths[c])).join("   ")}`);
}
