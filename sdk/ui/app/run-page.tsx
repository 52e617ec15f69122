/** One run: its header, error, parameters, graph, timeline and the attempt picked. */
import { useEffect, useState } from "preact/hooks";
import type { AttemptView, RunView } from "../types.ts";
import { getJson, postJson, useLive } from "./api.ts";
import { AttemptPanel } from "./attempt-panel.tsx";
import { elapsed, formatMs, formatTime } from "./format.ts";
import { GraphView } from "./graph-view.tsx";
import { runGraph } from "./graph-model.ts";
import { StatusBadge } from "./status-badge.tsx";
import { Timeline } from "./timeline.tsx";
import { failingAttempt } from "./timeline-model.ts";

export function RunPage({ runId }: { runId: string }) {
  const [view, setView] = useState<RunView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [picked, setPicked] = useState<AttemptView | undefined>(undefined);
  const [now, setNow] = useState(Date.now());
  const load = () =>
    getJson<RunView>(`/api/runs/${encodeURIComponent(runId)}`)
      .then((v) => {
        setView(v);
        setNow(Date.now());
        setError(undefined);
      })
      .catch((e: Error) => setError(e.message));
  useEffect(() => void load(), [runId]);
  useLive(runId, load);
  if (error && !view) return <main class="run-page"><Back /><p class="error-box">{error}</p></main>;
  if (!view) return <main class="run-page"><Back /><p class="loading">loading…</p></main>;
  const run = view.run;
  const failing = failingAttempt(view);
  const graph = runGraph(view);
  return (
    <main class="run-page" data-status={run?.status ?? "UNKNOWN"}>
      <Back />
      <header class="run-head">
        <h1>
          {run?.flow ?? view.attempts[0]?.flow} <span class="run-id">{runId}</span>
        </h1>
        <StatusBadge status={run?.status} />
        {run && <span class="meta">started {formatTime(run.startedAt)} UTC · {formatMs(elapsed(run.startedAt, run.durationMs, now))}</span>}
        {view.parentRunId && <a class="meta" href={`#/runs/${encodeURIComponent(view.parentRunId)}`}>parent run</a>}
        {run && RETRYABLE.has(run.status) && !view.parentRunId && <RetryButton runId={runId} />}
        {view.consoleUrl && <a class="meta console-link" href={view.consoleUrl} target="_blank" rel="noreferrer noopener">open in the AWS console</a>}
      </header>
      {run?.error && (
        <section class="run-error error-box">
          <strong>{run.error.name}</strong>: {run.error.message}
          {failing && (
            <p class="failing">
              failing task:{" "}
              <a href="#" onClick={(e) => (e.preventDefault(), setPicked(failing))} class="failing-task">
                {failing.task} ({failing.state}{failing.mapIndex !== undefined ? `, item ${failing.mapIndex}` : ""}, attempt {failing.attempt + 1})
              </a>
            </p>
          )}
        </section>
      )}
      {run?.params !== undefined && (
        <details class="params" open>
          <summary>parameters</summary>
          <pre>{JSON.stringify(run.params, null, 2)}</pre>
        </details>
      )}
      <div class="panes">
        <section class="graph-pane">
          <h2>graph</h2>
          {graph ? <GraphView graph={graph} /> : <p class="empty">this run was recorded without its state machine</p>}
        </section>
        <section class="timeline-pane">
          <h2>timeline</h2>
          <Timeline view={view} now={now} picked={picked} onPick={setPicked} />
        </section>
      </div>
      {picked && <AttemptPanel runId={runId} attempt={picked} onClose={() => setPicked(undefined)} />}
    </main>
  );
}

/** Statuses a run can be retried from (`stepflow retry`, or a redrive on AWS). */
const RETRYABLE = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

/** "Retry from failure": runs the failed run again reusing what succeeded, then shows that run. */
function RetryButton({ runId }: { runId: string }) {
  const [state, setState] = useState<{ busy: boolean; error?: string; note?: string }>({ busy: false });
  const retry = () => {
    setState({ busy: true });
    postJson<{ runId?: string }>(`/api/runs/${encodeURIComponent(runId)}/retry`).then(
      (r) => {
        if (r.runId && r.runId !== runId) location.hash = `#/runs/${encodeURIComponent(r.runId)}`;
        else setState({ busy: false, note: r.runId ? "redriven: this run goes on" : "retry started; it will show in the run list" });
      },
      (e: Error) => setState({ busy: false, error: e.message }),
    );
  };
  return (
    <span class="retry">
      <button type="button" class="retry-button" disabled={state.busy} onClick={retry} title="run it again, reusing every task result that succeeded (stepflow retry)">
        {state.busy ? "retrying…" : "↻ retry from failure"}
      </button>
      {state.note && <span class="meta">{state.note}</span>}
      {state.error && <span class="error-box retry-error">{state.error}</span>}
    </span>
  );
}

function Back() {
  return (
    <nav class="back">
      <a href="#/">← all runs</a>
    </nav>
  );
}
