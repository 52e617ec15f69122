/** A small CSV reader and writer for the example flows (RFC 4180 quoting, header row). */

/** One CSV row keyed by the header's column names; every value is the raw string. */
export type CsvRecord = Record<string, string>;

/** Parses CSV text with a header row into records; blank lines are skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const rows = parseRows(text);
  const header = rows.shift();
  if (!header) return [];
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
}

/** Renders records as CSV with the given columns (quoting cells that need it). */
export function toCsv(records: readonly CsvRecord[], columns: readonly string[]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [columns.map(cell).join(",")];
  for (const r of records) lines.push(columns.map((c) => cell(r[c] ?? "")).join(","));
  return `${lines.join("\n")}\n`;
}

function parseRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  row.push(cell);
  if (row.length > 1 || row[0] !== "") rows.push(row);
  return rows;
}
