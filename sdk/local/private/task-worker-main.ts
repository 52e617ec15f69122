/**
 * A task worker thread: loads flow modules, finds tasks by name and runs their functions for the
 * local runner, which can stop this thread when an attempt is stuck in CPU-bound code past its
 * timeout. Several attempts may run here at once. Two entries start it: task-worker-boot.mjs
 * (modules load from source through tsx) and the compiled CLI's bundle (bin/private/compiled-cli.js),
 * whose flow modules are compiled in and load through `preloaded`.
 */
import { parentPort } from "node:worker_threads";
import { fileURLToPath, pathToFileURL } from "node:url";
import { callTaskFunction } from "../../../functions/invoke.ts";
import type { GraphFlow, GraphTask } from "../../graph/types.ts";
import { type FromWorker, type ToWorker, toWire } from "./worker-protocol.ts";

/** Loaders of the flow modules compiled into a bundle, by absolute path. */
export type PreloadedModules = Readonly<Record<string, () => Promise<unknown>>>;

/**
 * Serves attempts from the local runner in this worker thread. `preloaded`: the modules of a
 * compiled bundle; a task defined in a module compiled into one of them (a `lib/` file) is found
 * through the flows they export.
 */
export function serveTasks(preloaded?: PreloadedModules): void {
  const port = parentPort;
  if (!port) throw new Error("`serveTasks` runs only in a worker thread started by the local runner");
  const send = (m: FromWorker) => port.postMessage(m);
  const modules = new Map<string, Promise<Map<string, GraphTask>>>();
  const tasksOf = (url: string) => {
    let found = modules.get(url);
    if (!found) {
      found = loadModules(url, preloaded).then(collectTasks);
      modules.set(url, found);
    }
    return found;
  };
  port.on("message", (m: ToWorker) => {
    if (m.type === "ping") return send({ type: "pong", id: m.id });
    void run(m, tasksOf, send);
  });
  // A bundle's flow modules load now, while the runner still prepares the run: the first attempt
  // does not wait for them. A module that fails to load fails that attempt (`unavailable`).
  for (const path of Object.keys(preloaded ?? {})) tasksOf(pathToFileURL(path).href).catch(() => undefined);
}

async function run(
  m: Extract<ToWorker, { type: "call" }>,
  tasksOf: (url: string) => Promise<Map<string, GraphTask>>,
  send: (m: FromWorker) => void,
): Promise<void> {
  let task: GraphTask | undefined;
  try {
    task = (await tasksOf(m.module)).get(m.task);
  } catch (error) {
    return send({ type: "unavailable", id: m.id, why: String(error) });
  }
  if (!task) return send({ type: "unavailable", id: m.id, why: `\`${m.task}\` is not exported by the module` });
  const post = (level: "debug" | "info" | "warn" | "error") => (message: string, extra?: Record<string, unknown>) =>
    send({ type: "log", id: m.id, level, message, ...(extra ? { extra } : {}) });
  const log = { debug: post("debug"), info: post("info"), warn: post("warn"), error: post("error") };
  send({ type: "started", id: m.id });
  try {
    const value = await callTaskFunction({ task, args: m.args, context: m.context, log });
    // JSON round trip: what crosses a state boundary is JSON, and the clone must not fail here.
    send({ type: "done", id: m.id, value: value === undefined ? null : JSON.parse(JSON.stringify(value) ?? "null") });
  } catch (error) {
    send({ type: "error", id: m.id, error: toWire(error) });
  }
}

/**
 * The module at `url`: from the bundle when it is one of its flow modules; every flow module of the
 * bundle when it is only compiled into them (no TypeScript loader here to import it alone).
 */
async function loadModules(url: string, preloaded: PreloadedModules | undefined): Promise<unknown[]> {
  if (!preloaded) return [await import(url)];
  const own = preloaded[fileURLToPath(url)];
  return Promise.all(own ? [own()] : Object.values(preloaded).map((load) => load()));
}

/** The tasks the modules export or their flows (and those flows' subflows) call, by name. */
function collectTasks(mods: readonly unknown[]): Map<string, GraphTask> {
  const tasks = new Map<string, GraphTask>();
  const seen = new Set<GraphFlow>();
  const visit = (flow: GraphFlow) => {
    if (seen.has(flow)) return;
    seen.add(flow);
    for (const c of flow.graph().calls) {
      if (c.kind === "task" && !tasks.has(c.task.taskName)) tasks.set(c.task.taskName, c.task);
      if (c.kind === "subflow") visit(c.flow);
    }
  };
  for (const mod of mods) {
    for (const value of Object.values(mod as Record<string, unknown>)) {
      if (isTask(value)) tasks.set(value.taskName, value);
      if (isFlow(value)) visit(value);
    }
  }
  return tasks;
}

function isTask(v: unknown): v is GraphTask {
  return typeof v === "function" && typeof (v as unknown as GraphTask).taskName === "string" && typeof (v as unknown as GraphTask).fn === "function";
}

function isFlow(v: unknown): v is GraphFlow {
  return typeof v === "function" && typeof (v as unknown as GraphFlow).flowName === "string" && typeof (v as unknown as GraphFlow).graph === "function";
}
