/**
 * A task worker thread: loads flow modules (through tsx, registered by task-worker-boot.mjs), finds
 * tasks by name and runs their functions for the local runner, which can stop this thread when an
 * attempt is stuck in CPU-bound code past its timeout. Several attempts may run here at once.
 */
import { parentPort } from "node:worker_threads";
import { callTaskFunction } from "../../../functions/invoke.ts";
import type { GraphFlow, GraphTask } from "../../graph/types.ts";
import { type FromWorker, type ToWorker, toWire } from "./worker-protocol.ts";

const port = parentPort;
if (!port) throw new Error("task-worker-main.ts runs only in a worker thread started by the local runner");
const send = (m: FromWorker) => port.postMessage(m);
const modules = new Map<string, Promise<Map<string, GraphTask>>>();

port.on("message", (m: ToWorker) => {
  if (m.type === "ping") return send({ type: "pong", id: m.id });
  void run(m);
});

async function run(m: Extract<ToWorker, { type: "call" }>): Promise<void> {
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

/** The tasks a module defines or its flows call, by name. */
function tasksOf(url: string): Promise<Map<string, GraphTask>> {
  let found = modules.get(url);
  if (!found) {
    found = import(url).then((mod: Record<string, unknown>) => {
      const tasks = new Map<string, GraphTask>();
      for (const value of Object.values(mod)) {
        if (isTask(value)) tasks.set(value.taskName, value);
        if (isFlow(value)) for (const c of value.graph().calls) if (c.kind === "task") tasks.set(c.task.taskName, c.task);
      }
      return tasks;
    });
    modules.set(url, found);
  }
  return found;
}

function isTask(v: unknown): v is GraphTask {
  return typeof v === "function" && typeof (v as unknown as GraphTask).taskName === "string" && typeof (v as unknown as GraphTask).fn === "function";
}

function isFlow(v: unknown): v is GraphFlow {
  return typeof v === "function" && typeof (v as unknown as GraphFlow).flowName === "string" && typeof (v as unknown as GraphFlow).graph === "function";
}
