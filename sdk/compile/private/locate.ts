/**
 * Where values live in state data, per block (top level, Parallel branch, Map iteration), and
 * the payload templates that pass them to a Task state.
 */
import type { ValueSource } from "../../graph/types.ts";
import type { PayloadTemplate } from "../asl.ts";
import type { DefinitionProblem, DefinitionProblemKind } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";

/** Where a node's value lives in a block's state data. */
export type Loc =
  | { readonly kind: "env"; readonly path: string }
  | { readonly kind: "rows"; readonly path: string; readonly col: string }
  | { readonly kind: "manifest"; readonly path: string; readonly col: string };

/** How values are found inside one block of the state machine. */
export interface Block {
  readonly kind: "top" | "iteration";
  /** JSONPath of the run id. */
  readonly runPath: string;
  /** JSONPath of the map index, inside an iteration. */
  readonly indexPath?: string;
  locate(node: string): Loc;
  /** JSONPath of a parameter value (raw). */
  param(name: string): string;
}

/**
 * Thrown for a wiring the compiler cannot express. The emitter catches it where a state is built,
 * notes it and goes on, so compile reports every problem of a flow in one FlowDefinitionError.
 */
export class WiringProblem extends Error {
  constructor(
    readonly kind: DefinitionProblemKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs `build`; a WiringProblem is noted in `problems` (against `state`, once: a Map iteration may
 * be emitted twice, inline and distributed) and `undefined` returned, so the compiler goes on to
 * find the other problems and reports them all at once.
 */
export function collecting<T>(problems: DefinitionProblem[], state: string | undefined, build: () => T): T | undefined {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof WiringProblem)) throw e;
    if (!problems.some((p) => p.message === e.message && p.state === state)) {
      problems.push({ kind: e.kind, message: e.message, ...(state ? { state } : {}) });
    }
    return undefined;
  }
}

/** The payload template of one task argument. */
export function argTemplate(block: Block, source: ValueSource): Json | PayloadTemplate {
  switch (source.kind) {
    case "const":
      return { v: source.value };
    case "param":
      return { "v.$": block.param(source.name) };
    case "secret":
      return { secret: source.name };
    case "node": {
      const loc = block.locate(source.node);
      if (loc.kind === "env") return { "env.$": loc.path };
      return loc.kind === "rows"
        ? { "rows.$": loc.path, col: loc.col }
        : { "manifest.$": loc.path, col: loc.col };
    }
    // Refs inside containers travel as a tree the handler resolves leaf by leaf: Parameters
    // builds it from paths, so no state assembles the object.
    case "object": {
      const fields: Record<string, Json | PayloadTemplate> = {};
      for (const [k, s] of Object.entries(source.fields)) fields[k] = argTemplate(block, s);
      return { obj: fields as Json };
    }
    case "array":
      return { arr: source.items.map((s) => argTemplate(block, s)) as Json };
  }
}

/** The path of a boolean used by a Choice state. */
export function conditionPath(block: Block, source: ValueSource): string {
  if (source.kind === "param") return block.param(source.name);
  if (source.kind === "node") {
    const loc = block.locate(source.node);
    if (loc.kind === "env") return `${loc.path}.v`;
  }
  throw new WiringProblem("condition", "a `when` condition must be a boolean task result or parameter");
}

/** A raw (non-envelope) value for a subflow parameter: a path, a constant or a payload template. */
export function rawValue(
  block: Block,
  source: ValueSource,
  where: string,
): { path: string } | { value: Json } | { template: PayloadTemplate } {
  switch (source.kind) {
    case "const":
      return { value: source.value };
    case "param":
      return { path: block.param(source.name) };
    case "node": {
      const loc = block.locate(source.node);
      if (loc.kind === "env") return { path: `${loc.path}.v` };
      throw new WiringProblem(
        "subflow-argument",
        `${where} is the result of a \`.map\`; reduce it with a task first, then pass that`,
      );
    }
    case "secret":
      throw new WiringProblem(
        "subflow-argument",
        `${where} is a secret; call \`secret(...)\` inside the subflow instead of passing it`,
      );
    case "object": {
      const template: PayloadTemplate = {};
      for (const [k, s] of Object.entries(source.fields)) setRaw(template, k, rawValue(block, s, `${where} at \`${k}\``));
      return { template };
    }
    case "array":
      return { path: arrayIntrinsic(block, source.items, where) };
  }
}

/** Sets `key` of a payload template to a raw value (`key.$` for a path). */
export function setRaw(template: PayloadTemplate, key: string, raw: ReturnType<typeof rawValue>): void {
  if ("path" in raw) template[`${key}.$`] = raw.path;
  else template[key] = "value" in raw ? raw.value : (raw.template as Json);
}

/**
 * A payload template cannot hold a path as an array item, so an array with refs is built by
 * `States.Array` from paths and scalar constants (evaluated where the Task state starts, no extra state).
 */
function arrayIntrinsic(block: Block, items: readonly ValueSource[], where: string): string {
  const args = items.map((s, i) => {
    const raw = rawValue(block, s, `${where} at \`[${i}]\``);
    if ("path" in raw && !raw.path.startsWith("States.")) return raw.path;
    if ("value" in raw && (raw.value === null || typeof raw.value !== "object")) {
      return typeof raw.value === "string" ? `'${raw.value.replace(/[\\'{}]/g, (c) => `\\${c}`)}'` : String(raw.value);
    }
    throw new WiringProblem(
      "subflow-argument",
      `${where} at \`[${i}]\` is an object or list inside a list passed to a subflow; pass such a list through a task first, or pass its parts as separate parameters`,
    );
  });
  return `States.Array(${args.join(", ")})`;
}
