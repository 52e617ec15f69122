/** The two kinds of block: the machine's top level and a Map iteration. */
import type { GraphFlow } from "../../graph/types.ts";
import type { MapGroup, ValueSource } from "../../graph/types.ts";
import { type Block, type Loc, WiringProblem } from "./locate.ts";
import type { GraphIndex } from "./units.ts";
import type { OutputShape } from "../../core/protocol.ts";

/** Compile-wide facts the blocks need. */
export interface BlockFacts {
  readonly index: GraphIndex;
  /** True when a group compiles to a Distributed Map. */
  distributed(group: MapGroup): boolean;
  /** The output shape of a child flow. */
  childOutput(flow: GraphFlow): OutputShape;
}

/** The top level (and its Parallel and Choice branches, which share its state layout). */
export class TopBlock implements Block {
  readonly kind = "top";
  readonly runPath = "$$.Execution.Name";
  constructor(private readonly facts: BlockFacts) {}

  locate(node: string): Loc {
    const call = this.facts.index.calls.get(node);
    // A `when`'s value: each branch's task writes its result there (see emitter `choice`).
    if (!call && this.facts.index.whens.has(node)) return { kind: "env", path: `$.results.${node}` };
    if (!call) throw new WiringProblem("internal", `unknown node \`${node}\``);
    if (call.kind === "subflow") {
      const shape = this.facts.childOutput(call.flow);
      const path = `$.results.${node}.output`;
      if (shape.kind === "none") {
        throw new WiringProblem(
          "subflow-result",
          `subflow \`${call.state}\` returns nothing, so its result cannot be used; return a task result from its body`,
        );
      }
      return shape.kind === "envelope" ? { kind: "env", path } : { kind: shape.kind, path, col: shape.col };
    }
    const group = this.facts.index.groupOf(node);
    if (!group) return { kind: "env", path: `$.results.${node}` };
    return this.facts.distributed(group)
      ? { kind: "manifest", path: `$.results.${group.id}.manifest`, col: node }
      : { kind: "rows", path: `$.results.${group.id}`, col: node };
  }

  param(name: string): string {
    return `$.${name}`;
  }
}

/** A Map iteration: the group's own results, its items, copies of outer values and params. */
export class IterationBlock implements Block {
  readonly kind = "iteration";
  readonly runPath = "$.run";
  readonly indexPath = "$.index";
  /** Outer values the iteration reads: id -> where the parent block has it. */
  readonly outer = new Map<string, Loc>();
  readonly params = new Set<string>();

  constructor(
    readonly group: MapGroup,
    private readonly parent: Block,
  ) {}

  locate(node: string): Loc {
    if (this.group.members.includes(node)) return { kind: "env", path: `$.results.${node}` };
    const loc = this.parent.locate(node);
    this.outer.set(node, loc);
    return { ...loc, path: `$.outer.${node}` };
  }

  param(name: string): string {
    // Under `params`, so a parameter can never collide with `index`, `item`, `run`, ...
    this.params.add(name);
    return `$.params.${name}`;
  }
}

/** The output shape of a flow, from where its result lives at the top level. */
export function outputShape(facts: BlockFacts, result: ValueSource | undefined): OutputShape {
  return shapeAt(result?.kind === "node" ? new TopBlock(facts).locate(result.node) : undefined);
}

/** The output shape of a flow whose result lives at `loc` in the top block (none without a result). */
export function shapeAt(loc: Loc | undefined): OutputShape {
  if (!loc) return { kind: "none" };
  return loc.kind === "env" ? { kind: "envelope" } : { kind: loc.kind, col: loc.col };
}
