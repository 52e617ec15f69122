import { type Duration, toSeconds } from "../duration.ts";
import { StepflowError, UsageError } from "../core/errors.ts";
import type { ArgBinding } from "../graph/types.ts";
import { currentBuilder, type GraphBuilder } from "./private/builder.ts";
import { callSite, lazyCallSite } from "./private/call-site.ts";
import { setTaskProblems, taskOptionProblems, taskProblems } from "./private/option-bounds.ts";
import type { Jsonify } from "./jsonify.ts";
import { type Input, isRef, isUnmapped, type MapArg, type Ref } from "./ref.ts";
import type { Json } from "../core/json.ts";
import type { ResolvedTaskOptions } from "../graph/options.ts";
import { camel } from "./private/camel.ts";

/** Result caching: a task whose key was seen within `expiresIn` returns the stored result. */
export interface CacheOptions {
  /**
   * Computes the cache key from the task's inputs.
   * @default a SHA-256 hash of the task name and its resolved inputs
   */
  readonly key?: (...args: never[]) => string;
  /** How long a cached result stays valid. */
  readonly expiresIn: Duration;
}

/** Options of a task. Durations are seconds or strings like `"90s"`, `"5 minutes"`. */
export interface TaskOptions {
  /** Extra attempts after a failure. @default 0 */
  readonly retries?: number;
  /** Delay before the first retry. @default 1 second (AWS minimum) */
  readonly retryDelay?: Duration;
  /** Multiplier of the delay between retries; 1 is a fixed delay, as in Prefect. @default 1 */
  readonly backoff?: number;
  /** Upper bound of a retry delay. @default none */
  readonly maxDelay?: Duration;
  /** Randomise retry delays (AWS `JitterStrategy: FULL`). @default false */
  readonly jitter?: boolean;
  /**
   * Retry only on these error names (the `name` of what the task throws, or a `States.` error such
   * as `States.Timeout`; `States.ALL` only alone). @default every error
   */
  readonly retryOn?: readonly string[];
  /**
   * Fail the attempt after this long. The Lambda timeout is 10 s longer (to store the result) and
   * must stay within Lambda's 900 s, so at most 890 s. @default 300 seconds
   */
  readonly timeout?: Duration;
  /** Cache results by key for a while. @default no caching */
  readonly cache?: CacheOptions;
  /** Lambda memory in MB, 128 to 10,240. @default 256 */
  readonly memory?: number;
  /** Free-form tags, added to the Lambda and to history records. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Maximum concurrent items when this task is mapped (inline Map `MaxConcurrency`). @default 40 */
  readonly maxConcurrency?: number;
  /**
   * Declare that lists this task is mapped over may be large: its `.map` compiles to a Distributed
   * Map that reads items from S3 and writes results to S3. @default false
   */
  readonly large?: boolean;
}

/** The function a task wraps. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- argument types are inferred per task; `any[]` keeps them open
export type TaskFn = (...args: any[]) => unknown;

/**
 * A task: a function that runs in its own Lambda. Call it inside a flow body with values or
 * refs; call `task.fn` to run the plain function (unit tests).
 */
export interface Task<A extends unknown[], R> {
  /** The result is typed as JSON gives it back (`Jsonify`): a `Date` is a `string` in the next task. */
  (...args: { [K in keyof A]: Input<A[K]> }): Ref<Jsonify<Awaited<R>>>;
  /** Runs once per item of the list arguments, in lockstep; `unmapped(x)` passes `x` to every item. */
  map(...args: { [K in keyof A]: MapArg<A[K]> }): Ref<Jsonify<Awaited<R>>[]>;
  /** The plain function, for unit tests and for the runtime. */
  readonly fn: (...args: A) => R;
  readonly taskName: string;
  readonly options: ResolvedTaskOptions;
  /** Where the task was defined, e.g. `flows/crypto.ts:8`. */
  readonly site: string;
  /** A copy of this task with some options changed (Prefect's `with_options`). */
  with(options: TaskOptions): Task<A, R>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest task type, for collections of tasks
export type AnyTask = Task<any[], unknown>;

/**
 * Defines a task.
 * @example const getData = task("get-data", { retries: 3, retryDelay: "1 minute" }, async (coin: string) => fetchPrices(coin));
 */
export function task<A extends unknown[], R>(fn: (...args: A) => R): Task<A, R>;
export function task<A extends unknown[], R>(name: string, fn: (...args: A) => R): Task<A, R>;
export function task<A extends unknown[], R>(
  name: string,
  options: TaskOptions,
  fn: (...args: A) => R,
): Task<A, R>;
export function task(...args: unknown[]): AnyTask {
  const fn = args.at(-1);
  const name = typeof args[0] === "string" ? args[0] : (fn as TaskFn | undefined)?.name;
  const options = (args.length === 3 ? args[1] : {}) as TaskOptions;
  if (typeof fn !== "function") throw new UsageError("`task(...)` needs a function as its last argument");
  if (!name) {
    throw new UsageError('`task(fn)` was given an anonymous function; name it with `task("my-task", fn)`');
  }
  return makeTask(name, options, fn as TaskFn, callSite());
}

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

function makeTask(name: string, options: TaskOptions, fn: TaskFn, site: string): AnyTask {
  if (!NAME.test(name)) {
    throw new UsageError(
      `task name \`${name}\` is not allowed; use 1-63 letters, digits, \`-\`, \`_\` or \`.\`, starting with a letter (it names a Lambda and a state)`,
    );
  }
  const resolved = resolveOptions(name, options);
  const call = (...values: unknown[]) => recordCall(self, values, false);
  const self = Object.assign(call, {
    map: (...values: unknown[]) => recordCall(self, values, true),
    fn,
    taskName: name,
    options: resolved,
    site,
    with: (more: TaskOptions) => makeTask(name, { ...options, ...more }, fn, site),
  }) as unknown as AnyTask;
  // AWS bounds are reported with the other problems of each flow that calls the task.
  setTaskProblems(self, taskOptionProblems(name, resolved));
  return self;
}

function resolveOptions(name: string, o: TaskOptions): ResolvedTaskOptions {
  const what = (field: string) => `task \`${name}\` option \`${field}\``;
  const count = (field: string, value: number | undefined, min: number, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min)
      throw new StepflowError(`${what(field)} must be an integer >= ${min}, got ${v}`);
    return v;
  };
  const backoff = o.backoff ?? 1;
  if (!(backoff >= 1)) throw new StepflowError(`${what("backoff")} must be a number >= 1, got ${backoff}`);
  return {
    retries: count("retries", o.retries, 0, 0),
    retryDelaySeconds: Math.max(1, Math.round(toSeconds(o.retryDelay ?? 1, what("retryDelay")))),
    backoff,
    maxDelaySeconds:
      o.maxDelay === undefined ? undefined : Math.round(toSeconds(o.maxDelay, what("maxDelay"))),
    jitter: o.jitter ?? false,
    retryOn: o.retryOn,
    timeoutSeconds: Math.max(1, Math.ceil(toSeconds(o.timeout ?? 300, what("timeout")))),
    cache: o.cache && {
      key: o.cache.key,
      expiresInSeconds: toSeconds(o.cache.expiresIn, what("cache.expiresIn")),
    },
    memory: count("memory", o.memory, 1, 256),
    tags: o.tags ?? {},
    maxConcurrency: count("maxConcurrency", o.maxConcurrency, 0, 40),
    large: o.large ?? false,
  };
}

function recordCall(t: AnyTask, values: unknown[], mapped: boolean): Ref<unknown> {
  const b = currentBuilder();
  if (!b) {
    const how = mapped ? `\`${t.taskName}.fn\` over each item` : `\`${camel(t.taskName)}.fn(...)\``;
    throw new UsageError(
      `task \`${t.taskName}\` was called outside a flow body; call ${how} to run it directly, or call it inside \`flow(...)\``,
    );
  }
  // Formatted only if a message or a reader asks: formatting every call's stack was most of
  // building a 1,000-call graph.
  const site = lazyCallSite();
  noteTaskName(b, t, site);
  if (!b.checkedTasks.has(t)) {
    b.checkedTasks.add(t);
    b.problems.push(...taskProblems(t).map((p) => `${p} (defined at ${t.site})`));
  }
  const state = b.stateName(t.taskName);
  const args = values.map((v, i) => bind(b, v, mapped, `argument ${i + 1} of \`${state}\``));
  const id = b.idFor(state);
  // The call's site is a getter: formatted only when a message needs it.
  const call = (map?: { readonly group: string; readonly lead: boolean }) => ({
    kind: "task" as const,
    id,
    state,
    task: t,
    args,
    scope: [...b.scope],
    ...(map && { map }),
    get site() {
      return site();
    },
  });
  if (!mapped) {
    b.calls.push(call());
    return b.ref({ kind: "node", node: id }, `the result of \`${state}\``);
  }
  if (!args.some((a) => a.mode === "mapped")) {
    b.problems.push(
      `\`${state}.map(...)\` at ${site()} has no list argument; pass at least one list, or call the task directly`,
    );
  }
  checkStaticLengths(b, state, site, args);
  const fused = b.fusableGroup(args);
  let group: string;
  if (fused) {
    fused.members.push(id);
    group = fused.id;
  } else {
    group = b.idFor(`map_${state}`);
    const lists = args.flatMap((a, arg) => (a.mode === "mapped" ? [{ arg, source: a.source }] : []));
    b.groups.push({
      id: group,
      lists,
      large: t.options.large,
      maxConcurrency: t.options.maxConcurrency,
      members: [id],
    });
  }
  b.calls.push(call({ group, lead: !fused }));
  return b.ref({ kind: "node", node: id }, `the results of \`${state}.map(...)\``);
}

function bind(b: GraphBuilder, value: unknown, mapped: boolean, where: string): ArgBinding {
  if (isUnmapped(value)) {
    if (!mapped)
      b.problems.push(
        `${where} is wrapped in \`unmapped(...)\`, which only means something inside \`.map(...)\``,
      );
    return { mode: "unmapped", source: b.source(value.unmapped, where) };
  }
  if (!mapped) return { mode: "value", source: b.source(value, where) };
  if (!isRef(value) && !Array.isArray(value)) {
    b.problems.push(
      `${where} of a \`.map\` call is not a list; pass a list or a ref to one, or wrap it in \`unmapped(...)\``,
    );
  }
  const source = b.source(value, where);
  if (source.kind === "array") {
    // A Map iterates a list in state data; building one from refs would cost an extra state.
    b.problems.push(
      `${where} of a \`.map\` call is a list written in the flow body that holds refs; return the list from a task (e.g. \`task("items", (...xs: T[]) => xs)\`) and map over its result`,
    );
  }
  return { mode: "mapped", source };
}

function checkStaticLengths(b: GraphBuilder, state: string, site: () => string, args: readonly ArgBinding[]) {
  const lengths = args.flatMap((a, i) =>
    a.mode === "mapped" && a.source.kind === "const" && Array.isArray(a.source.value)
      ? [{ i, length: (a.source.value as Json[]).length }]
      : [],
  );
  if (new Set(lengths.map((l) => l.length)).size > 1) {
    const listed = lengths.map((l) => `argument ${l.i + 1} has ${l.length}`).join(", ");
    b.problems.push(
      `\`${state}.map(...)\` at ${site()} iterates lists of different lengths (${listed}); mapped lists run in lockstep, so give them the same length or wrap one in \`unmapped(...)\``,
    );
  }
}

function noteTaskName(b: GraphBuilder, t: AnyTask, site: () => string) {
  const seen = b.taskNames.get(t.taskName);
  if (!seen) b.taskNames.set(t.taskName, { task: t.fn, site: t.site });
  else if (seen.task !== t.fn) {
    b.problems.push(
      `task name \`${t.taskName}\` is used by ${seen.site} and ${t.site}; give each task its own name (called at ${site()})`,
    );
  }
}
