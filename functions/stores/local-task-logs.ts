import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { assertRunId } from "../../sdk/core/run-id.ts";
import type { TaskContext } from "../../sdk/core/task-context.ts";
import { AppendFiles } from "../private/append-files.ts";
import { TASK_LOGS_FOLDER } from "../private/legacy-history.ts";
import { type LocalStoreOptions, localDir } from "./local-result-store.ts";
import type { AttemptLogKey, TaskLogLine } from "./types.ts";

/** At most this many lines of one attempt are kept... */
export const MAX_LINES_PER_ATTEMPT = 200;
/** ...and at most this many bytes of their messages. */
export const MAX_BYTES_PER_ATTEMPT = 64 * 1024;

/** Attempts whose line counts are kept in memory; past it the oldest are forgotten (a long run's finished attempts). */
const COUNTED_ATTEMPTS = 10_000;

/** One stored line: short keys, as a run may store thousands. */
interface StoredLine {
  readonly s: string;
  readonly i?: number;
  readonly a: number;
  readonly l: string;
  readonly m: string;
  readonly t: string;
}

/** The local store of task attempts' log lines. */
export interface LocalTaskLogs {
  /** Keeps one line of the attempt `context` names (capped per attempt); writes nothing until a task logs. */
  append(context: TaskContext, line: TaskLogLine): void;
  /** The kept lines of one attempt, oldest first. */
  read(runId: string, key: AttemptLogKey): Promise<TaskLogLine[]>;
}

/**
 * Task log lines as append-only JSON-lines files beside the run's history,
 * `<dir>/history/logs/<runId>.jsonl`, a line per logged line of any attempt. Each attempt keeps
 * at most `MAX_LINES_PER_ATTEMPT` lines and `MAX_BYTES_PER_ATTEMPT` bytes, then one line saying
 * the rest was dropped, so a task printing in a loop cannot fill the disk.
 */
export function localTaskLogs(options: LocalStoreOptions = {}): LocalTaskLogs {
  const root = join(localDir(options), "history", TASK_LOGS_FOLDER);
  const files = new AppendFiles();
  const counts = new Map<string, { lines: number; bytes: number }>();
  let ready = false;
  const fileOf = (runId: string) => {
    assertRunId(runId, "a task log's run id");
    return join(root, `${runId}.jsonl`);
  };
  const write = (c: TaskContext, line: TaskLogLine) => {
    if (!ready) mkdirSync(root, { recursive: true });
    ready = true;
    const stored: StoredLine = { s: c.state, ...(c.mapIndex === undefined ? {} : { i: c.mapIndex }), a: c.attempt, l: line.level, m: line.message, t: line.time };
    files.append(fileOf(c.runId), `${JSON.stringify(stored)}\n`);
  };
  return {
    append(context, line) {
      const key = `${context.runId}/${context.state}/${context.mapIndex ?? ""}/${context.attempt}`;
      let count = counts.get(key);
      if (!count) {
        if (counts.size >= COUNTED_ATTEMPTS) counts.delete(counts.keys().next().value!);
        count = { lines: 0, bytes: 0 };
        counts.set(key, count);
      }
      if (count.lines > MAX_LINES_PER_ATTEMPT) return;
      count.lines++;
      count.bytes += Buffer.byteLength(line.message);
      if (count.lines <= MAX_LINES_PER_ATTEMPT && count.bytes <= MAX_BYTES_PER_ATTEMPT) return write(context, line);
      count.lines = MAX_LINES_PER_ATTEMPT + 1;
      write(context, {
        level: "warn",
        time: line.time,
        message: `[truncated] this attempt logged more than ${MAX_LINES_PER_ATTEMPT} lines or ${MAX_BYTES_PER_ATTEMPT / 1024} KB; its later lines are not kept`,
      });
    },
    async read(runId, key) {
      const text = await readFile(fileOf(runId), "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "";
        throw error;
      });
      const lines: TaskLogLine[] = [];
      for (const raw of text.split("\n")) {
        if (raw === "") continue;
        let l: StoredLine;
        try {
          l = JSON.parse(raw) as StoredLine;
        } catch {
          continue; // A line cut short by a crash mid-write.
        }
        if (l.s === key.state && l.a === key.attempt && (l.i ?? -1) === (key.mapIndex ?? -1)) lines.push({ level: l.l, message: l.m, time: l.t });
      }
      return lines;
    },
  };
}
