/**
 * The payload protocol between the compiled state machine and the task handler. Everything a
 * state passes is one of these small envelopes; data larger than the inline threshold lives in
 * the results store and travels as a key.
 */
import type { Json } from "./json.ts";

/** A value as it travels between states. */
export type Envelope =
  /** Inline: small enough to show in the console and branch on. */
  | { readonly v: Json }
  /** Stored: the results-store key of the JSON value. */
  | { readonly s3: string; readonly bytes: number }
  /** A list whose items travel separately (produced for a Map state to iterate). */
  | { readonly items: readonly Envelope[] };

/** How a task argument is given to the handler (built by the compiler in `Parameters`). */
export type ArgInput =
  /** A constant or parameter value: `{ v }`. */
  | { readonly v: Json }
  /** Another task's result envelope, wrapped so a Parameters array element can point at it. */
  | { readonly env: Envelope }
  | { readonly secret: string }
  /** A column of a Map state's output: `rows[i][col]` for each row. */
  | { readonly rows: readonly Readonly<Record<string, Envelope>>[]; readonly col: string }
  /** A Distributed Map's output written to the results store (ResultWriter manifest). */
  | { readonly manifest: { readonly Bucket: string; readonly Key: string }; readonly col: string }
  /**
   * A column of a list in the request's `lists` (a Map's rows or manifest): a task reading several
   * columns of one Map receives its rows once.
   */
  | { readonly list: string; readonly col: string }
  /** A plain object written in the flow body with refs inside: each field is resolved on its own. */
  | { readonly obj: Readonly<Record<string, ArgInput>> }
  /** An array or tuple written in the flow body with refs inside: each item is resolved on its own. */
  | { readonly arr: readonly ArgInput[] };

/** A Map's output shared by several arguments of one request, under `TaskRequest.lists`. */
export type SharedList =
  | readonly Readonly<Record<string, Envelope>>[]
  | { readonly manifest: { readonly Bucket: string; readonly Key: string } };

/**
 * The compiler's inline budget for one result, when state data could not hold every live value at
 * the default limits: the result is one of `of` (a Map's items, default 1) sharing `bytes` of state
 * data, each also costing `overhead` bytes of keys and brackets. A result over its share is stored.
 */
export interface InlineShare {
  readonly bytes: number;
  readonly of?: number;
  readonly overhead?: number;
}

/**
 * What the handler must do with its result, beyond the default (inline when small, stored when large).
 * - `items`: a list consumed by an inline Map: return `{ items }`.
 * - `stored`: always store it (a Distributed Map reads it from S3).
 * - `inline`: always inline (a subflow's parameter); fail clearly if too large.
 * - `boolean`: the result drives a Choice state; fail clearly if it is not a boolean.
 */
export type OutputHint = "items" | "stored" | "inline" | "boolean";

/** The input of a Task state, built in its `Parameters`. */
export interface TaskRequest {
  readonly flow: string;
  /** The task name (the registry key of the function). */
  readonly task: string;
  /** The state name (unique in the machine). */
  readonly state: string;
  /** The execution name, which is the run id. */
  readonly run: string;
  /** The map item index inside a Map iteration. */
  readonly index?: number;
  /** Lengths of the lists a Map iterates in lockstep, checked equal by the handler. */
  readonly lengths?: readonly number[];
  /** The retry count of this attempt (`$$.State.RetryCount`). */
  readonly attempt?: number;
  readonly args: readonly ArgInput[];
  readonly out?: readonly OutputHint[];
  /** Map outputs read by several arguments (`{ list, col }`), each passed once. */
  readonly lists?: Readonly<Record<string, SharedList>>;
  /** This result's share of the state data budget, when smaller than the default limits. */
  readonly share?: InlineShare;
  /**
   * Most items the `items` list may have: the compiler's budget for the inline Map it feeds, from
   * the history events each item of that Map's chain costs.
   */
  readonly maxItems?: number;
  /**
   * The `items` list may run as a Distributed Map: when it has more than `maxItems` items or its
   * envelopes would not fit the state data, the handler stores the whole list at `spillKey` instead
   * of failing, and the state machine runs the Distributed Map whose ItemReader reads that key.
   * `error`: the attempt, recorded as succeeded, then fails with `LIST_STORED_ERROR`, which the
   * state's `Catch` sends to the Distributed Map (no extra state on the inline path). `envelope`: it
   * returns `{ s3, bytes }`, and a Choice after the state picks the Map. Set by the compiler.
   */
  readonly spill?: "error" | "envelope";
  /** Where a spilled list is stored (a key the ItemReader can name before the task runs). */
  readonly spillKey?: string;
}

/** How to read a flow's output (the execution output) back into its result. */
export type OutputShape =
  /** No result: the flow body returned nothing. */
  | { readonly kind: "none" }
  /** The output is an `Envelope`. */
  | { readonly kind: "envelope" }
  /** The output is a Map's rows; the result is `rows[i][col]` for each row. */
  | { readonly kind: "rows"; readonly col: string }
  /** The output is a Distributed Map's ResultWriter details; the result is column `col` of its items. */
  | { readonly kind: "manifest"; readonly col: string };

/**
 * The error a list's producer fails with after storing a list too long for its inline Map (see
 * `TaskRequest.spill`): its Task state's `Catch` goes on to the Distributed Map. The error's
 * message is the stored list's envelope, as JSON.
 */
export const LIST_STORED_ERROR = "stepflow.ListStored";

/** Inline results up to this many bytes of JSON; larger ones go to the results store. */
export const INLINE_LIMIT_BYTES = 2048;
/** Inside a Map iteration a smaller limit keeps the Map's combined output small. */
export const ITEM_INLINE_LIMIT_BYTES = 256;
/** Step Functions' payload limit for a state's input or output. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;
/**
 * The part of the payload limit the compiler lets inline results take at any point of a run; the
 * rest is left to parameters, Map item data and envelopes.
 */
export const STATE_BUDGET_BYTES = 160 * 1024;
/**
 * The part of the payload limit a run's parameters may take: they stay in the state data for the
 * whole run beside the inline results' `STATE_BUDGET_BYTES`, and the rest is left to stored values'
 * references and envelopes, so parameters and results together stay under 256 KB.
 */
export const PARAMS_BUDGET_BYTES = 64 * 1024;

/** The results-store prefix of all run values (`runs/`): they expire (the bucket's lifecycle rule). */
export const RUNS_PREFIX = "runs/";

/** The results-store prefix of all cached results (`cache/`): they outlive runs. */
export const CACHE_PREFIX = "cache/";

/**
 * The results-store prefix of a flow's run values, `runs/<flow>/`: the runtime writes under it, the
 * compiler names Distributed Map keys under it, and each task's role may use only its own flow's.
 */
export function flowRunsPrefix(flow: string): string {
  return `${RUNS_PREFIX}${flow}/`;
}

/** The results-store prefix of one run's values: `runs/<flow>/<run>/`. */
export function runPrefix(flow: string, run: string): string {
  return `${flowRunsPrefix(flow)}${run}/`;
}

/**
 * The prefix of a task's cache keys, `<flow>/<task>/`: a cache key is `<flow>/<task>/<hash>`, and a
 * cached task's Lambda may use only its own prefix (results-store objects and history-table leases).
 */
export function cacheKeyPrefix(flow: string, task: string): string {
  return `${flow}/${task}/`;
}

/** The results-store prefix of a task's cached results: `cache/<flow>/<task>/`. */
export function cachedResultsPrefix(flow: string, task: string): string {
  return `${CACHE_PREFIX}${cacheKeyPrefix(flow, task)}`;
}

/** The results-store key of a cached result: `cache/<cache key>.json`. */
export function cachedResultKey(key: string): string {
  return `${CACHE_PREFIX}${key}.json`;
}

/** The results-store key of a task result: `runs/<flow>/<run>/<state>/<index>.json`. */
export function resultKey(flow: string, run: string, state: string, index: number | undefined): string {
  return `${runPrefix(flow, run)}${state}/${index ?? 0}.json`;
}
