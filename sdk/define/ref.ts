import type { ValueSource } from "../graph/types.ts";
import { REF_LABEL, refTraps } from "./private/ref-traps.ts";

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

/**
 * A value or a ref to one, at any depth: what a task accepts for each argument inside a flow
 * body. Plain objects, arrays and tuples may hold refs (`report({ prices, threshold })`,
 * `combine([a, b, c])`); stepflow resolves each when the flow runs.
 */
export type Input<T> =
  | T
  | Ref<T>
  | (T extends (...args: never[]) => unknown
      ? never
      : T extends readonly unknown[]
        ? { [K in keyof T]: Input<T[K]> }
        : T extends object
          ? { [K in keyof T]: Input<T[K]> }
          : never);

/** Marks an argument of `.map` to be passed whole to every item instead of iterated. */
export interface Unmapped<T> {
  readonly unmapped: Input<T>;
}

/** What `.map` accepts for an argument of type `T`: a list (or ref to one) or `unmapped(x)`. */
export type MapArg<T> = readonly T[] | Ref<T[]> | Ref<readonly T[]> | Unmapped<T>;

const REF = Symbol.for("stepflow.ref");

/** @internal makes a ref; `label` names it in errors, e.g. "the result of `get-data`". */
export function makeRef<T>(source: ValueSource, owner: object, label = describe(source)): Ref<T> {
  const ref = Object.create(refTraps) as Record<PropertyKey, unknown>;
  Object.assign(ref, { source, owner, [REF]: true, [REF_LABEL]: label });
  return Object.freeze(ref) as unknown as Ref<T>;
}

function describe(source: ValueSource): string {
  if (source.kind === "param") return `parameter \`${source.name}\``;
  if (source.kind === "secret") return `secret \`${source.name}\``;
  return source.kind === "node" ? `the result of \`${source.node}\`` : "a ref";
}

/** True when `value` is a ref made by stepflow. */
export function isRef(value: unknown): value is Ref<unknown> {
  return typeof value === "object" && value !== null && REF in value;
}

/**
 * Passes `value` whole to every item of a `.map` call instead of iterating it (Prefect's `unmapped`).
 * @example fetchPrice.map(coins, unmapped(currency))
 */
export function unmapped<V>(value: V): Unmapped<Resolved<V>> {
  return { unmapped: value as Input<Resolved<V>> };
}

/** The value a flow-body value stands for when the flow runs: refs replaced by their types, at any depth. */
export type Resolved<V> =
  V extends Ref<infer T>
    ? T
    : V extends (...args: never[]) => unknown
      ? V
      : V extends object
        ? { -readonly [K in keyof V]: Resolved<V[K]> }
        : V;

/** True when `value` was made by `unmapped`. */
export function isUnmapped(value: unknown): value is Unmapped<unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "unmapped" in value;
}
