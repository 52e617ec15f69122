import type { ValueSource } from "../graph/types.ts";

declare const refType: unique symbol;

/**
 * A value that exists only when the flow runs: a task result, a parameter or a secret.
 * Pass refs to tasks inside a flow body; stepflow wires them into the state machine.
 */
export interface Ref<T> {
  /** Phantom: carries the value's type, never set. */
  readonly [refType]?: T;
  /** @internal where the value comes from */
  readonly source: ValueSource;
  /** @internal the flow body that made it */
  readonly owner: object;
}

/** A value or a ref to one: what a task accepts for each argument inside a flow body. */
export type Input<T> = T | Ref<T>;

/** Marks an argument of `.map` to be passed whole to every item instead of iterated. */
export interface Unmapped<T> {
  readonly unmapped: Input<T>;
}

/** What `.map` accepts for an argument of type `T`: a list (or ref to one) or `unmapped(x)`. */
export type MapArg<T> = readonly T[] | Ref<T[]> | Ref<readonly T[]> | Unmapped<T>;

const REF = Symbol.for("stepflow.ref");

/** @internal */
export function makeRef<T>(source: ValueSource, owner: object): Ref<T> {
  return Object.freeze({ source, owner, [REF]: true }) as Ref<T>;
}

/** True when `value` is a ref made by stepflow. */
export function isRef(value: unknown): value is Ref<unknown> {
  return typeof value === "object" && value !== null && REF in value;
}

/**
 * Passes `value` whole to every item of a `.map` call instead of iterating it (Prefect's `unmapped`).
 * @example fetchPrice.map(coins, unmapped(currency))
 */
export function unmapped<T>(value: Input<T>): Unmapped<T> {
  return { unmapped: value };
}

/** True when `value` was made by `unmapped`. */
export function isUnmapped(value: unknown): value is Unmapped<unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "unmapped" in value;
}
