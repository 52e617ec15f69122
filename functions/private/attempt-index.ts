/**
 * Values kept per task attempt: by run id, state, map index and attempt, in nested maps keyed by
 * the record's own strings and one number. A key string joined per attempt cost a concatenation
 * and the hash of a fresh string at every write, and the local history and the local run's book
 * each write twice per attempt.
 */
import type { TaskRunRecord } from "../stores/types.ts";

export type AttemptKey = Pick<TaskRunRecord, "runId" | "state" | "mapIndex" | "attempt">;

/** 2^32: map indexes stay below it, and attempts below 2^21 (an execution has at most 25,000 history events). */
const ATTEMPT = 4294967296;

/** One number for the map index (none is -1) and the attempt, exact as long as both are in range. */
function slotOf(r: AttemptKey): number {
  return (r.mapIndex ?? -1) + 1 + r.attempt * ATTEMPT;
}

/** The one attempt a state has had so far (nearly every state of a chain): no map for it. */
class Single<V> {
  constructor(
    readonly slot: number,
    public value: V,
  ) {}
}

type States<V> = Map<string, Single<V> | Map<number, V>>;

export class AttemptIndex<V> {
  private readonly runs = new Map<string, States<V>>();
  /** The run written last: consecutive writes are nearly always of one run. */
  private lastRunId: string | undefined;
  private lastStates: States<V> | undefined;

  get(r: AttemptKey): V | undefined {
    const slots = this.statesOf(r.runId)?.get(r.state);
    if (slots === undefined) return undefined;
    if (slots instanceof Single) return slots.slot === slotOf(r) ? slots.value : undefined;
    return slots.get(slotOf(r));
  }

  set(r: AttemptKey, value: V): void {
    let states = this.statesOf(r.runId);
    if (!states) {
      states = new Map();
      this.runs.set(r.runId, states);
      this.lastRunId = r.runId;
      this.lastStates = states;
    }
    const slot = slotOf(r);
    const slots = states.get(r.state);
    if (slots === undefined) states.set(r.state, new Single(slot, value));
    else if (!(slots instanceof Single)) slots.set(slot, value);
    else if (slots.slot === slot) slots.value = value;
    else
      states.set(
        r.state,
        new Map([
          [slots.slot, slots.value],
          [slot, value],
        ]),
      );
  }

  delete(r: AttemptKey): void {
    const states = this.statesOf(r.runId);
    const slots = states?.get(r.state);
    if (slots === undefined) return;
    if (!(slots instanceof Single)) slots.delete(slotOf(r));
    else if (slots.slot === slotOf(r)) states?.delete(r.state);
  }

  /** Every value of run `runId`. */
  *valuesOf(runId: string): IterableIterator<V> {
    for (const slots of this.statesOf(runId)?.values() ?? []) {
      if (slots instanceof Single) yield slots.value;
      else yield* slots.values();
    }
  }

  /** Forgets run `runId`. */
  deleteRun(runId: string): void {
    this.runs.delete(runId);
    if (this.lastRunId === runId) this.lastRunId = this.lastStates = undefined;
  }

  private statesOf(runId: string): States<V> | undefined {
    if (runId === this.lastRunId) return this.lastStates;
    const states = this.runs.get(runId);
    if (states) {
      this.lastRunId = runId;
      this.lastStates = states;
    }
    return states;
  }
}
