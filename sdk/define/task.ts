import { UsageError } from "../core/errors.ts";
import type { ArgBinding } from "../graph/types.ts";
import { currentBuilder, type GraphBuilder } from "./private/builder.ts";
import { callSite, lazyCallSite } from "./private/call-site.ts";
import { setTaskProblems, taskOptionProblems, taskProblems } from "./private/option-bounds.ts";
import type { Jsonify } from "./jsonify.ts";
import { type Input, isRef, isUnmapped, type MapArg, type Ref } from "./ref.ts";
import type { Json } from "../core/json.ts";
import type { ResolvedTaskOptions } from "../graph/options.ts";
import { camel } from "./private/camel.ts";
import { resolveOptions } from "./private/resolve-options.ts";
import type { TaskOptions } from "./task-options.ts";

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
  const resolved = resolveOptions(name, options, site);
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
