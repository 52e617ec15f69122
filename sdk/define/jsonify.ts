/**
 * The type of a value after a JSON round trip: what a task's result is when the next task, a
 * `when` or the flow's caller reads it (results cross state boundaries as JSON). A `Date` becomes
 * `string` (its `toJSON`), `void`/`undefined` becomes `null`, methods disappear; a `Map`, `Set`,
 * function, `bigint` or `symbol` becomes a `NotJson` brand, so using it as the original type is a
 * type error. At run time such values fail the task with a `PayloadError` naming their path.
 */
declare const notJson: unique symbol;

/** What a value JSON cannot carry turns into: it matches no real type, so its use fails to type-check. */
export interface NotJson<Why extends string> {
  readonly [notJson]: Why;
}

type IsAny<T> = 0 extends 1 & T ? true : false;

/** `T` as JSON gives it back; see the module comment. */
export type Jsonify<T> =
  IsAny<T> extends true
    ? T
    : unknown extends T
      ? unknown
      : T extends string | number | boolean | null
      ? T
      : T extends undefined | void
        ? null
        : T extends ReadonlyMap<unknown, unknown>
          ? NotJson<"a Map becomes {} in JSON; return Object.fromEntries(map) or [...map]">
          : T extends ReadonlySet<unknown>
            ? NotJson<"a Set becomes {} in JSON; return [...set]">
            : T extends (...args: never[]) => unknown
              ? NotJson<"a function cannot cross a state boundary">
              : T extends bigint | symbol
                ? NotJson<"a bigint or symbol cannot be written as JSON">
                : T extends { toJSON(): infer J }
                  ? JsonifyToJson<J, T>
                  : T extends readonly unknown[]
                    ? { [K in keyof T]: Jsonify<T[K]> }
                    : T extends object
                      ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: JsonifyField<T[K]> }
                      : never;

/** A `toJSON` result, guarding against a `toJSON` returning its own type. */
type JsonifyToJson<J, T> = J extends T ? Omit<T, "toJSON"> : Jsonify<J>;

/** An object field: `undefined` stays (JSON drops the key, so reading it gives `undefined`). */
type JsonifyField<T> = undefined extends T ? Jsonify<Exclude<T, undefined>> | undefined : Jsonify<T>;
