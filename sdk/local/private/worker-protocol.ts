/** Messages between the local runner and its task worker threads. */
import type { TaskContext } from "../../core/task-context.ts";

/** An error as it crosses the thread boundary (what retries and reports read of it). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly hasCause?: boolean;
}

export type ToWorker =
  | {
      readonly type: "call";
      readonly id: number;
      /** File URL of the module that defines the task (or a flow that calls it). */
      readonly module: string;
      readonly task: string;
      readonly args: readonly unknown[];
      readonly context: TaskContext;
    }
  | { readonly type: "ping"; readonly id: number };

export type FromWorker =
  /** The module is loaded and the function runs: the attempt's timeout starts now. */
  | { readonly type: "started"; readonly id: number }
  | { readonly type: "log"; readonly id: number; readonly level: "debug" | "info" | "warn" | "error"; readonly message: string; readonly extra?: Record<string, unknown> }
  | { readonly type: "done"; readonly id: number; readonly value: unknown }
  | { readonly type: "error"; readonly id: number; readonly error: WireError }
  /** The worker cannot run the task (module not loadable, task not found): run it in-process. */
  | { readonly type: "unavailable"; readonly id: number; readonly why: string }
  | { readonly type: "pong"; readonly id: number };

export function toWire(thrown: unknown): WireError {
  if (!(thrown instanceof Error)) return { name: "Error", message: String(thrown) };
  return {
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    ...(thrown.cause === undefined ? {} : { hasCause: true }),
  };
}

export function fromWire(w: WireError): Error {
  const error = new Error(w.message, w.hasCause ? { cause: "(in the task worker)" } : undefined);
  error.name = w.name;
  if (w.stack) error.stack = w.stack;
  return error;
}
