/** Small text helpers of the CLI's output. */

/** `850 ms`, `1.2 s`, `3 min 5 s`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** An ISO start time as `2025-05-01 12:00:00` (UTC, to the second). */
export function formatStarted(iso: string): string {
  return iso.replace("T", " ").slice(0, 19);
}

/** `812 B`, `4.2 KB`, `1.3 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((c, i) => (c ?? "").padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [render(header), ...rows.map(render)].join("\n");
}

/** The header line of one run, and its params and error when it has them. */
export function runSummary(run: {
  runId: string;
  flow: string;
  status: string;
  durationMs?: number;
  startedAt: string;
  params?: unknown;
  error?: { name: string; message: string };
  parentRunId?: string;
}): string {
  const lines = [`${run.runId}  ${run.flow}  ${run.status}  ${formatMs(run.durationMs)}  started ${run.startedAt}`];
  if (run.parentRunId) lines.push(`subflow run of: ${run.parentRunId}`);
  if (run.params !== undefined) lines.push(`params: ${JSON.stringify(run.params)}`);
  if (run.error) lines.push(`error: ${run.error.name}: ${run.error.message}`);
  return `${lines.join("\n")}\n`;
}

