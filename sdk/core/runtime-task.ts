/**
 * What the runtime needs of a task: its name, its function and the options the handler applies.
 * `task(...)` returns a richer object (`Task`); the runtime depends only on this shape, so the
 * Lambda runtime never imports the define API.
 */

/** The options of a task the handler reads while running it. */
export interface RuntimeTaskOptions {
  /** Fail the attempt after this many seconds. */
  readonly timeoutSeconds: number;
  /** Error names that may be retried; others fail at once. `undefined`: every error. */
  readonly retryOn: readonly string[] | undefined;
  /** Result caching: a custom key function and how long a cached result stays valid. */
  readonly cache:
    | { readonly key?: (...args: never[]) => string; readonly expiresInSeconds: number }
    | undefined;
}

/** A task as the runtime runs it. */
export interface RuntimeTask {
  readonly taskName: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- argument types are per task; the runtime passes JSON values
  readonly fn: (...args: any[]) => unknown;
  readonly options: RuntimeTaskOptions;
  /** Where the task was defined, e.g. `flows/crypto.ts:8`: the local runner loads its module there. */
  readonly site?: string;
}
