/** What a task can be told: retries, timeout, caching, Lambda size, mapping. */
import type { Duration } from "../duration.ts";

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
