/**
 * Where values live in state data, per block (top level, Parallel branch, Map iteration), and
 * the payload templates that pass them to a Task state.
 */
import type { ValueSource } from "../../graph/types.ts";
import type { PayloadTemplate } from "../asl.ts";
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

/** Thrown for a wiring the compiler cannot express; collected into a FlowDefinitionError. */
export class WiringProblem extends Error {}

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
  }
}

/** The path of a boolean used by a Choice state. */
export function conditionPath(block: Block, source: ValueSource): string {
  if (source.kind === "param") return block.param(source.name);
  if (source.kind === "node") {
    const loc = block.locate(source.node);
    if (loc.kind === "env") return `${loc.path}.v`;
  }
  throw new WiringProblem("a `when` condition must be a boolean task result or parameter");
}

/** A raw (non-envelope) value path for a subflow parameter. */
export function rawValue(
  block: Block,
  source: ValueSource,
  where: string,
): { path: string } | { value: Json } {
  switch (source.kind) {
    case "const":
      return { value: source.value };
    case "param":
      return { path: block.param(source.name) };
    case "node": {
      const loc = block.locate(source.node);
      if (loc.kind === "env") return { path: `${loc.path}.v` };
      throw new WiringProblem(
        `${where} is the result of a \`.map\`; reduce it with a task first, then pass that`,
      );
    }
    case "secret":
      throw new WiringProblem(
        `${where} is a secret; call \`secret(...)\` inside the subflow instead of passing it`,
      );
  }
}
