/** The run list: newest first, filtered by flow and status, live. */
import { useEffect, useState } from "preact/hooks";
import type { RunSummary } from "../types.ts";
import { getJson, useLive } from "./api.ts";
import { elapsed, formatMs, formatTime } from "./format.ts";
import { StatusBadge } from "./status-badge.tsx";

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

export function RunsPage() {
  const [runs, setRuns] = useState<RunSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [flow, setFlow] = useState("");
  const [status, setStatus] = useState("");
  const [flows, setFlows] = useState<string[]>([]);
  const [now, setNow] = useState(Date.now());
  const load = () => {
    const query = new URLSearchParams({ ...(flow ? { flow } : {}), ...(status ? { status } : {}) });
    getJson<{ runs: RunSummary[] }>(`/api/runs?${query}`)
      .then(({ runs: r }) => {
        setRuns(r);
        setError(undefined);
        setNow(Date.now());
        setFlows((known) => [...new Set([...known, ...r.map((x) => x.flow)])].sort());
      })
      .catch((e: Error) => setError(e.message));
  };
  useEffect(load, [flow, status]);
  useLive(undefined, load);
  const remote = document.body.dataset.source === "remote";
  return (
    <main class="runs-page">
      <header class="top">
        <h1>stepflow runs</h1>
        <span class="source">{remote ? "deployed (AWS)" : "local history"}</span>
        <label>
          flow{" "}
          <select name="flow" value={flow} onChange={(e) => setFlow(e.currentTarget.value)}>
            <option value="">all</option>
            {flows.map((f) => (
              <option value={f}>{f}</option>
            ))}
          </select>
        </label>
        <label>
          status{" "}
          <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option value={s}>{s.toLowerCase()}</option>
            ))}
          </select>
        </label>
      </header>
      {error && <p class="error-box">{error}</p>}
      {runs === undefined ? (
        <p class="loading">loading…</p>
      ) : runs.length === 0 ? (
        <p class="empty">no runs yet{remote ? "" : "; start one with `stepflow run <file>`"}</p>
      ) : (
        <table class="runs">
          <thead>
            <tr>
              <th>status</th>
              <th>run</th>
              <th>flow</th>
              <th>started (UTC)</th>
              <th>duration</th>
              <th>result</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr class={`run-row status-${r.status.toLowerCase()}`} data-run-id={r.runId} key={r.runId}>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  <a href={`#/runs/${encodeURIComponent(r.runId)}`}>{r.runId}</a>
                </td>
                <td>{r.flow}</td>
                <td>{formatTime(r.startedAt)}</td>
                <td class="num">{formatMs(elapsed(r.startedAt, r.durationMs, now))}</td>
                <td class="summary">{r.summary ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
