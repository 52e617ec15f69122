/**
 * What Step Functions enforces on one execution, enforced while a local run goes: 256 KB on every
 * state input and output and on every task's Lambda event (`States.DataLimitExceeded`) and 25,000
 * history events (`States.Runtime`). It reads the engine's events (each carries the state's input
 * or output), counts history events the way a Standard execution records them, and closes the
 * execution at the first breach, at the first task failure that fails the run, or on abort: a
 * closed execution starts no more tasks (a failed Map stops starting items, as on AWS).
 */
import { StepflowError } from "../../core/errors.ts";
import { HISTORY_EVENT_LIMIT, HISTORY_EVENTS } from "../../core/history-events.ts";
import { PAYLOAD_LIMIT_BYTES } from "../../core/protocol.ts";
import { jsonBytes } from "../../../functions/private/json.ts";
import type { RunStats } from "../types.ts";
import type { EngineEvent } from "./engine-events.ts";

/** A limit Step Functions would have failed the execution on; `name` is AWS's error name. */
export class LimitExceededError extends StepflowError {
  constructor(
    awsName: "States.DataLimitExceeded" | "States.Runtime",
    message: string,
    /** The state whose data or event was too large. */
    readonly state?: string,
  ) {
    super(message);
    this.name = awsName;
  }
}

/**
 * What closed an execution that was aborted or has ended; a task state that starts after that
 * fails with it. (One that starts after a task failed the run fails with that task's error.)
 */
export class ExecutionClosedError extends StepflowError {
  override name = "ExecutionClosed";
}

/**
 * Each state's history events split at the engine's `StateEntered` and `StateExited`, so the
 * count is right while a state runs: a Map records `MapStateEntered` and `MapStateStarted` on entry,
 * `MapStateSucceeded` and `MapStateExited` on exit.
 */
export const ON_ENTER: Readonly<Record<string, number>> = { Task: 3, Map: 2, Parallel: 2 };
export const ON_EXIT: Readonly<Record<string, number>> = { Task: 2, Map: 2, Parallel: 2 };
/** A subflow state's `TaskSubmitted`. */
const SUBMITTED = HISTORY_EVENTS.subflow - HISTORY_EVENTS.task;
/** State types whose events `taskStarted` and `taskEnded` count. */
const COUNTED_BY_TASKS = new Set(["Task", "Map"]);

const INPUT = "input";
const OUTPUT = "output";

const KB = (bytes: number) => bytes.toLocaleString("en-US");

/** The states of the machine the limits need to know. */
export interface LimitedMachine {
  /** The flow's name, for messages. */
  readonly name: string;
  /** Task states that start a subflow (they record `TaskSubmitted` too). */
  readonly subflowStates: { has(state: string): boolean };
  /** Map states, each with the first task state of its iteration. */
  readonly maps: ReadonlyMap<string, { readonly task: string }>;
}

export class ExecutionLimits {
  private events = 0;
  private transitions = 0;
  private maxState = { bytes: 0, at: undefined as string | undefined };
  private maxTaskEvent = 0;
  /**
   * The state data measured last and its size: a state's output is the next state's input, the
   * same object. One entry, not a map: a weak map entry per state cost more than measuring small
   * data, and large data (a Map's output) is measured twice in a row.
   */
  private last: { value: object | undefined; bytes: number } = { value: undefined, bytes: 0 };
  /** The Map state whose iteration a task state starts. */
  private readonly iterationStart = new Map<string, string>();
  private closedBy: Error | undefined;
  private stop: () => void = () => {};

  /** @param runId the execution's name, for messages */
  constructor(
    private readonly machine: LimitedMachine,
    private readonly runId: string,
  ) {
    for (const [map, { task }] of machine.maps) this.iterationStart.set(task, map);
  }

  /** The first breach of a limit, which fails the run. */
  breach: LimitExceededError | undefined;

  /** What stops the execution (its `abort`) on a breach, once it runs. */
  bind(stop: () => void): void {
    this.stop = stop;
    if (this.breach) stop();
  }

  /**
   * Measures every state's input and output from the engine's events, and counts the events of
   * states that are neither tasks nor Maps (Choice, Parallel, Pass, Succeed): the engine forwards
   * the events of nested executions late, and drops some once a branch has ended, so tasks and
   * Map iterations are counted where they run instead (`taskStarted`, `taskEnded`).
   */
  readonly observe = (e: EngineEvent): void => {
    switch (e.type) {
      case "ExecutionStarted":
        this.count(1);
        this.measure(e.input, INPUT, undefined);
        return;
      case "StateEntered":
        if (!COUNTED_BY_TASKS.has(e.state.type)) {
          this.transitions++;
          this.count(ON_ENTER[e.state.type] ?? 1);
        }
        this.measure(e.state.input, INPUT, e.state);
        return;
      case "StateExited":
        if (!COUNTED_BY_TASKS.has(e.state.type)) this.count(ON_EXIT[e.state.type] ?? 1);
        this.measure(e.state.output, OUTPUT, e.state);
        return;
      case "StateFailed":
        if (!COUNTED_BY_TASKS.has(e.state.type)) this.count(1);
        return;
      case "ExecutionSucceeded":
      case "ExecutionFailed":
      case "ExecutionAborted":
      case "ExecutionTimeout":
        this.count(1);
        return;
      default:
        // Parallel branches record no events of their own on AWS.
        return;
    }
  };

  /**
   * A task state's attempt starts (after `admit`): `TaskStateEntered` (first attempt only),
   * `TaskScheduled`, `TaskStarted`; the first task of a Map iteration also starts the iteration
   * (`MapIterationStarted`, and its `MapIterationSucceeded` or `Failed`), and item 0 the Map's own four.
   */
  taskStarted(state: string, attempt: number, index: number | undefined): void {
    this.transitions++;
    let events = attempt === 0 ? ON_ENTER.Task : ON_ENTER.Task - 1;
    const map = index === undefined || attempt > 0 ? undefined : this.iterationStart.get(state);
    if (map !== undefined) events += HISTORY_EVENTS.iteration + (index === 0 ? HISTORY_EVENTS.map : 0);
    // Entering the Map is a transition too.
    if (map !== undefined && index === 0) this.transitions++;
    this.count(events);
  }

  /** A task state's attempt ended: `TaskSucceeded` and `TaskStateExited` (and `TaskSubmitted` for a subflow), or `TaskFailed`. */
  taskEnded(state: string, succeeded: boolean): void {
    if (!succeeded) return this.count(1);
    this.count(ON_EXIT.Task + (this.machine.subflowStates.has(state) ? SUBMITTED : 0));
  }

  /**
   * Checks a task state's Lambda event before the task runs; throws when it may not start. A
   * closed execution's task states fail with what closed it (a breach, the error of the task that
   * failed the run, the abort), so a Map or Parallel fails with that error whichever failure of
   * its iterations the engine sees first: a refused item can fail faster than the task that failed.
   */
  admit(state: string, request: unknown): void {
    if (this.closedBy) throw this.closedBy;
    const bytes = jsonBytes(request);
    if (bytes > this.maxTaskEvent) this.maxTaskEvent = bytes;
    if (bytes <= PAYLOAD_LIMIT_BYTES) return;
    const error = new LimitExceededError(
      "States.DataLimitExceeded",
      `task state \`${state}\` would send a ${KB(bytes)}-byte Lambda event, over the ${KB(PAYLOAD_LIMIT_BYTES)}-byte Step Functions payload limit (\`States.DataLimitExceeded\` on AWS); a task reading a Map's results receives each column it reads in full, so read fewer results in one task, return smaller item results, or declare the mapped task \`large: true\` so its results stay in S3`,
      state,
    );
    this.failWith(error);
    throw error;
  }

  /**
   * Closes the execution to new tasks: a task failed the run (the engine fails it by itself), or
   * the run was aborted. Queued Map items and retries that start after this run no task code.
   */
  close(why: Error): void {
    this.closedBy ??= why;
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  stats(): RunStats {
    return {
      historyEvents: this.events,
      transitions: this.transitions,
      maxStateBytes: this.maxState.bytes,
      ...(this.maxState.at === undefined ? {} : { maxStateBytesAt: this.maxState.at }),
      maxTaskEventBytes: this.maxTaskEvent,
    };
  }

  /** A Distributed Map state ran in this execution: its own events (its items' are their children's). */
  distributedMapRan(): void {
    this.transitions++;
    this.count(HISTORY_EVENTS.distributed);
  }

  /** Fails the execution on a breach: stops it at once, as Step Functions does. */
  failWith(error: LimitExceededError): void {
    if (this.breach) return;
    this.breach = error;
    this.closedBy = error;
    this.stop();
  }

  private count(n: number): void {
    this.events += n;
    if (this.events <= HISTORY_EVENT_LIMIT || this.breach) return;
    this.failWith(
      new LimitExceededError(
        "States.Runtime",
        `run \`${this.runId}\` of flow \`${this.machine.name}\` reached ${KB(this.events)} history events, over the ${KB(HISTORY_EVENT_LIMIT)}-event limit of a Standard execution (AWS fails it with \`States.Runtime\`); declare the mapped task \`large: true\` so its items run in child executions with their own history, or move part of the work into a subflow`,
      ),
    );
  }

  /** Measures a state's input or output (the execution input when there is no state); the message is written only on a breach. */
  private measure(value: unknown, side: typeof INPUT | typeof OUTPUT, state: { name: string; type: string } | undefined): void {
    const bytes = this.sizeOf(value);
    if (bytes > this.maxState.bytes) this.maxState = { bytes, at: state?.name };
    if (bytes <= PAYLOAD_LIMIT_BYTES || this.breach) return;
    const what = state ? `the ${side} of state \`${state.name}\`` : "the execution input";
    this.failWith(
      new LimitExceededError(
        "States.DataLimitExceeded",
        `${what} is ${KB(bytes)} bytes of JSON, over the ${KB(PAYLOAD_LIMIT_BYTES)}-byte Step Functions limit on state data (\`States.DataLimitExceeded\` on AWS); ${fixFor(state?.type)}`,
        state?.name,
      ),
    );
  }

  private sizeOf(value: unknown): number {
    if (value === null || typeof value !== "object") return jsonBytes(value);
    if (value === this.last.value) return this.last.bytes;
    const bytes = jsonBytes(value);
    this.last.value = value;
    this.last.bytes = bytes;
    return bytes;
  }
}

function fixFor(type: string | undefined): string {
  if (type === "Map")
    return "a Map's output holds every item's result, so return smaller item results, or declare the mapped task `large: true` so a Distributed Map writes the results to S3";
  if (type === "Parallel")
    return "a Parallel state's output holds every branch's results, so return smaller values (stepflow stores a result over 2 KB and passes a reference) or return S3 keys instead of data";
  if (type === undefined)
    return "pass smaller parameters, e.g. an S3 key or URL to read the data from instead of the data";
  return "the state data holds every result a later state still reads, so return smaller values (stepflow stores a result over 2 KB and passes a reference) or return S3 keys instead of data";
}
