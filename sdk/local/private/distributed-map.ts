/**
 * Distributed Maps on the local engine, which runs only inline Maps. Each Distributed Map state
 * becomes a Task state bound to `runDistributedMap`, which does what Step Functions does: reads the
 * items the ItemReader names from the results store, runs the ItemProcessor once per item (the
 * ItemSelector gives each its input), counts each item as its own child execution (with its own
 * 25,000-event history), writes the outputs as ResultWriter does (a manifest and a result file)
 * and returns `ResultWriterDetails` for the state's ResultSelector. Every item runs, whatever the
 * list's length.
 */
import { StateMachine } from "aws-local-stepfunctions";
import type { ResultStore } from "../../../functions/stores/types.ts";
import { StepflowError } from "../../core/errors.ts";
import { HISTORY_EVENT_LIMIT, HISTORY_EVENTS } from "../../core/history-events.ts";
import { PAYLOAD_LIMIT_BYTES } from "../../core/protocol.ts";
import type { MapState, PayloadTemplate, StateMachineDefinition, TaskState } from "../../compile/asl.ts";
import { type ExecutionLimits, LimitExceededError, ON_ENTER, ON_EXIT } from "./limits.ts";
import type { TaskGate } from "./task-gate.ts";

/** Where the bound Task state puts the items for its inline stand-in Map. */
const ITEMS_KEY = "stepflow:items";
export const ITEMS_PATH = `$['${ITEMS_KEY}']`;
/** Child executions of one Distributed Map running at once, locally, when the Map sets no `MaxConcurrency`. */
const LOCAL_CONCURRENCY = 40;
/**
 * aws-local-stepfunctions gives a Task state without `TimeoutSeconds` 60 seconds; on AWS a Map run
 * waits for its items and a `startExecution.sync` state for its child as long as they run. A long
 * timeout (kept under Node's 24.8-day timer limit) restores AWS's behaviour; the child's own
 * `TimeoutSeconds` still applies.
 */
export const NO_TIMEOUT_SECONDS = 2_000_000;

/** A Distributed Map made ready for the local engine. */
export interface LocalDistributedMap {
  /** The Task state that stands in the definition for the Map state. */
  readonly task: TaskState;
  /** An inline Map with the same ItemSelector and ItemProcessor, over the items the Task reads. */
  readonly machine: StateMachine;
  /** The Task states of its iteration (each item's child execution). */
  readonly tasks: readonly string[];
}

/** The local stand-in of Distributed Map `name`. `tasks` are its iteration's Task states. */
export function localDistributedMap(name: string, map: MapState, tasks: readonly string[]): LocalDistributedMap {
  const { ProcessorConfig: _, ...processor } = map.ItemProcessor;
  const inline: StateMachineDefinition = {
    StartAt: name,
    States: {
      [name]: {
        Type: "Map",
        ItemsPath: ITEMS_PATH,
        ...(map.ItemSelector ? { ItemSelector: map.ItemSelector } : {}),
        ItemProcessor: processor,
        MaxConcurrency: map.MaxConcurrency || LOCAL_CONCURRENCY,
        End: true,
      },
    },
  };
  const parameters: PayloadTemplate = { "input.$": "$" };
  if (map.ItemReader) parameters.reader = map.ItemReader.Parameters;
  if (map.ResultWriter) parameters.writer = map.ResultWriter.Parameters;
  const task: TaskState = {
    Type: "Task",
    Resource: "arn:aws:states:::stepflow:distributed-map",
    Parameters: parameters,
    TimeoutSeconds: NO_TIMEOUT_SECONDS,
    ...pick(map, ["ResultSelector", "ResultPath", "OutputPath", "Next", "End"]),
  };
  return { task, machine: new StateMachine(inline as never, { validationOptions: { noValidate: true } }), tasks };
}

/** A Distributed Map's run failed: an item failed (no failure is tolerated) or could not be read. */
export class DistributedMapFailed extends StepflowError {
  constructor(
    awsName: string,
    message: string,
    /** The item's failure, when an item failed. */
    readonly item?: Error,
  ) {
    super(message);
    this.name = awsName;
  }
}

/** What `runDistributedMap` needs of the run. */
export interface MapRunDeps {
  readonly results: ResultStore;
  /** The run options of the parent execution (handlers, retry overrides, context). */
  readonly runOptions: Parameters<StateMachine["run"]>[1];
  readonly limits: ExecutionLimits;
  /** Observes the stand-in Map's engine events (progress). */
  readonly observe?: (execution: ReturnType<StateMachine["run"]>) => Promise<void>;
}

interface BoundInput {
  readonly input: Record<string, unknown>;
  readonly reader?: { readonly Bucket: string; readonly Key: string };
  readonly writer?: { readonly Bucket: string; readonly Prefix: string };
}

/** Runs Distributed Map `name` over the items its reader names; returns what the Map state returns. */
export async function runDistributedMap(
  name: string,
  map: LocalDistributedMap,
  bound: BoundInput,
  deps: MapRunDeps,
): Promise<{ ResultWriterDetails?: { Bucket: string; Key: string } }> {
  const items = await readItems(name, bound, deps.results);
  // Its own context object: the engine writes `$$.Map` into it per item.
  const options = { ...deps.runOptions, context: structuredClone(deps.runOptions?.context) };
  const execution = map.machine.run({ ...bound.input, [ITEMS_KEY]: items } as never, options);
  const observing = deps.observe?.(execution);
  let rows: unknown[];
  try {
    rows = (await execution.result) as unknown[];
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const item = cause instanceof Error ? cause : new Error(String(cause));
    throw new DistributedMapFailed(
      "States.ExceedToleratedFailureThreshold",
      `Distributed Map \`${name}\` failed: an item failed (${item.name}: ${item.message}) and the Map tolerates no failed items`,
      item,
    );
  } finally {
    await observing;
  }
  return bound.writer ? { ResultWriterDetails: await writeResults(name, rows, bound.writer, deps.results) } : {};
}

async function readItems(name: string, bound: BoundInput, results: ResultStore): Promise<unknown[]> {
  if (!bound.reader) return [];
  const items = await results.get(bound.reader.Key);
  if (Array.isArray(items)) return items;
  throw new DistributedMapFailed(
    "States.ItemReaderFailed",
    `the ItemReader of Distributed Map \`${name}\` read \`${bound.reader.Key}\`, which is not a JSON array; the task that produces the list must return an array`,
  );
}

/** Writes what ResultWriter writes: one result file of every child's output, and the manifest. */
async function writeResults(
  name: string,
  rows: readonly unknown[],
  writer: NonNullable<BoundInput["writer"]>,
  results: ResultStore,
): Promise<{ Bucket: string; Key: string }> {
  const runId = `local-${Date.now().toString(36)}`;
  const at = `${writer.Prefix}/${runId}`;
  const entries = rows.map((row, i) => {
    const output = JSON.stringify(row) ?? "null";
    if (Buffer.byteLength(output) > PAYLOAD_LIMIT_BYTES) {
      throw new LimitExceededError(
        "States.DataLimitExceeded",
        `item ${i} of Distributed Map \`${name}\` returned ${Buffer.byteLength(output).toLocaleString("en-US")} bytes, over the ${PAYLOAD_LIMIT_BYTES.toLocaleString("en-US")}-byte limit on a child execution's output; return smaller item results`,
        name,
      );
    }
    return { Name: `${runId}-${i}`, Status: "SUCCEEDED", Output: output };
  });
  const file = `${at}/SUCCEEDED_0.json`;
  const size = await results.put(file, entries as never);
  const manifest = `${at}/manifest.json`;
  await results.put(manifest, {
    DestinationBucket: writer.Bucket,
    MapRunArn: `arn:aws:states:::mapRun:${name}/${runId}`,
    ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: file, Size: size }] },
  });
  return { Bucket: writer.Bucket, Key: manifest };
}

/**
 * The gate of a Distributed Map's iteration states: each item is a child execution with its own
 * history (counted here, each against 25,000 events); payloads and closing go to the parent.
 */
export class ChildExecutions implements TaskGate {
  private readonly events = new Map<number, number>();
  /** The most history events one child execution recorded. */
  maxEvents = 0;

  constructor(private readonly parent: ExecutionLimits) {}

  get count(): number {
    return this.events.size;
  }

  admit(state: string, request: unknown): void {
    this.parent.admit(state, request);
  }

  taskStarted(state: string, attempt: number, index: number | undefined): void {
    const first = !this.events.has(index ?? 0);
    this.add(index, (first ? HISTORY_EVENTS.execution : 0) + (attempt === 0 ? ON_ENTER.Task : ON_ENTER.Task - 1));
  }

  taskEnded(_state: string, succeeded: boolean, index?: number): void {
    this.add(index, succeeded ? ON_EXIT.Task : 1);
  }

  close(why: Error): void {
    this.parent.close(why);
  }

  private add(index: number | undefined, n: number): void {
    const key = index ?? 0;
    const events = (this.events.get(key) ?? 0) + n;
    this.events.set(key, events);
    if (events > this.maxEvents) this.maxEvents = events;
    if (events <= HISTORY_EVENT_LIMIT) return;
    this.parent.failWith(
      new LimitExceededError(
        "States.Runtime",
        `item ${key} of a Distributed Map reached ${events.toLocaleString("en-US")} history events in its child execution, over the ${HISTORY_EVENT_LIMIT.toLocaleString("en-US")}-event limit; split the item's work over more items or a subflow`,
      ),
    );
  }
}

/** The bindings of a run's Distributed Maps: their Task states' handlers and their items' gates. */
export class DistributedMaps {
  private readonly children = new Map<string, ChildExecutions>();
  private readonly gates = new Map<string, ChildExecutions>();

  constructor(
    private readonly maps: ReadonlyMap<string, LocalDistributedMap>,
    private readonly limits: ExecutionLimits,
  ) {
    for (const [name, map] of maps) {
      const children = new ChildExecutions(limits);
      this.children.set(name, children);
      for (const task of map.tasks) this.gates.set(task, children);
    }
  }

  /** The gate of a task state: its Distributed Map's children, or the execution's own limits. */
  readonly gate = (state: string): TaskGate => this.gates.get(state) ?? this.limits;

  /** A handler per Distributed Map state, running it with `deps` (the run's options and stores). */
  handlers(deps: Omit<MapRunDeps, "limits">): Record<string, (input: unknown) => Promise<never>> {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const [name, map] of this.maps) {
      handlers[name] = async (input) => {
        try {
          return (await runDistributedMap(name, map, input as BoundInput, { ...deps, limits: this.limits })) as never;
        } finally {
          this.limits.distributedMapRan();
        }
      };
    }
    return handlers;
  }

  /** What the runs' child executions used, for `RunStats`; empty when no Distributed Map ran. */
  stats(): { childExecutions?: number; maxChildHistoryEvents?: number } {
    const all = [...this.children.values()];
    const count = all.reduce((n, c) => n + c.count, 0);
    if (count === 0) return {};
    return { childExecutions: count, maxChildHistoryEvents: Math.max(...all.map((c) => c.maxEvents)) };
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
