/** The attempt picked on the timeline: its error, and (fetched when picked) its stored result and log lines. */
import { useEffect, useState } from "preact/hooks";
import type { AttemptDetail, AttemptView } from "../types.ts";
import { getJson } from "./api.ts";
import { formatMs, formatTime } from "./format.ts";
import { StatusBadge } from "./status-badge.tsx";

interface Props {
  readonly runId: string;
  readonly attempt: AttemptView;
  readonly onClose: () => void;
}

export function AttemptPanel({ runId, attempt: a, onClose }: Props) {
  const [detail, setDetail] = useState<AttemptDetail | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    setDetail(undefined);
    setError(undefined);
    const query = new URLSearchParams({ state: a.state, attempt: String(a.attempt), ...(a.mapIndex !== undefined ? { index: String(a.mapIndex) } : {}) });
    getJson<AttemptDetail>(`/api/runs/${encodeURIComponent(runId)}/attempt?${query}`).then(setDetail, (e: Error) => setError(e.message));
  }, [runId, a.state, a.mapIndex, a.attempt, a.status]);
  return (
    <aside class="attempt-panel" data-state={a.state} data-index={a.mapIndex ?? ""} data-attempt={a.attempt}>
      <header>
        <h2>
          {a.task} <span class="meta">{a.state}{a.mapIndex !== undefined ? ` · item ${a.mapIndex}` : ""} · attempt {a.attempt + 1}</span>
        </h2>
        <StatusBadge status={a.cached ? "CACHED" : a.status} />
        <button type="button" class="close" onClick={onClose} aria-label="close">×</button>
      </header>
      <p class="meta">started {formatTime(a.startedAt)} UTC{a.durationMs !== undefined ? ` · ${formatMs(a.durationMs)}` : ""}{a.cached ? " · result from the cache" : ""}</p>
      {a.error && (
        <div class="error-box attempt-error">
          <strong>{a.error.name}</strong>: {a.error.message}
        </div>
      )}
      {error && <p class="error-box">{error}</p>}
      {!detail && !error && <p class="loading">loading…</p>}
      {detail && (
        <>
          <h3>result</h3>
          {detail.resultError ? <p class="error-box">{detail.resultError}</p> : detail.result === undefined ? <p class="empty">no result</p> : <pre class="result">{JSON.stringify(detail.result, null, 2).slice(0, 20_000)}</pre>}
          <h3>log lines</h3>
          {detail.logs.length === 0 ? (
            <p class="empty">no log lines</p>
          ) : (
            <pre class="logs">{detail.logs.map((l) => `${l.time ? `${formatTime(l.time)} ` : ""}${l.level.toUpperCase()} ${l.message}`).join("\n")}</pre>
          )}
        </>
      )}
    </aside>
  );
}
