// Its own file: the state handlers and the Distributed Map runner both use it, and neither imports the other.

/** What decides whether a task state may start, and learns when a task failed the run. */
export interface TaskGate {
  /** Throws when the task may not start (its event is too large, or the execution is closed). */
  admit(state: string, request: unknown): void;
  /** An attempt starts (its history events). */
  taskStarted(state: string, attempt: number, index: number | undefined): void;
  /** An attempt ended. */
  taskEnded(state: string, succeeded: boolean, index?: number): void;
  /** A task failed for good: no retry is left, so the run fails and no other task may start. */
  close(why: Error): void;
}
