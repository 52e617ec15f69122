/**
 * What a flow parameter's zod schema makes of a value a run leaves out, asked of the schema itself:
 * the define step (a parameter a state reads must be in every run's input) and the compiler (a
 * subflow call passes the child's defaults) ask the same question.
 */

/** `{ value }`: the value a left-out parameter gets (its default; `undefined` when it stays out); `undefined`: it is required. */
export function leftOut(type: unknown): { readonly value: unknown } | undefined {
  const parsed = (type as { safeParse?(v: unknown): { success: boolean; data?: unknown } } | undefined)?.safeParse?.(undefined);
  return parsed?.success ? { value: parsed.data } : undefined;
}

/** True when a run may leave the parameter out of its input: optional, with no default. */
export function mayBeAbsent(type: unknown): boolean {
  const left = leftOut(type);
  return left !== undefined && left.value === undefined;
}
