/** Durations and times as the page prints them. */

/** `850 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** `2026-12-02 01:02:03` in UTC. */
export function formatTime(iso: string | undefined): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "";
}

/** How long a run or attempt took, or has taken so far when still running. */
export function elapsed(startedAt: string, durationMs: number | undefined, now: number): number {
  return durationMs ?? Math.max(0, now - Date.parse(startedAt));
}
