/** The page's calls to its server (same origin only) and the live-change stream. */
import { useEffect } from "preact/hooks";

/** The JSON at `path` on this server; an error answer throws its message. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/** POSTs to `path` on this server (the browser sends this page's Origin, which the server checks). */
export async function postJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { method: "POST", headers: { Accept: "application/json" } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/**
 * Calls `refresh` whenever the server sees the history change (the list, or run `runId`), over
 * server-sent events; the browser reconnects by itself when the stream drops.
 */
export function useLive(runId: string | undefined, refresh: () => void): void {
  useEffect(() => {
    const events = new EventSource(`/api/events${runId ? `?run=${encodeURIComponent(runId)}` : ""}`);
    events.addEventListener("changed", () => refresh());
    return () => events.close();
  }, [runId]);
}
