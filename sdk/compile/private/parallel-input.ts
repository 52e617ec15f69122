/**
 * A "no value" slot for the branches of a Parallel that nothing ran before (it starts the flow, or a branch of a Choice that does): no
 * state wrote the results before it, but its Parameters build each branch's input, so they can hold
 * `results: {"<when id>": {}}` beside the parameters the branches read, and no Pass state writes the
 * slot (no-value-slots.ts). The branches keep the top level's layout (`$.<param>`, `$.results`); the
 * Parallel's ResultPath still merges into its own input, so the layout after it is the same too.
 */
import type { Json } from "../../core/json.ts";
import type { ParallelState, PayloadTemplate } from "../asl.ts";
import type { Block } from "./locate.ts";
import { inputWriter, type SlotWriter } from "./no-value-slots.ts";

/** What the branches of one Parallel read of its input, and the slots they need there. */
export class ParallelInput {
  /** The block the branches are emitted in: the top level's, noting the parameters they read. */
  readonly block: Block;
  /** Writes a slot into the branches' input. */
  readonly writer: SlotWriter;
  private readonly params = new Set<string>();
  private readonly slots: Record<string, Json> = {};

  constructor(
    state: ParallelState,
    private readonly top: Block,
  ) {
    const params = this.params;
    this.block = {
      kind: top.kind,
      runPath: top.runPath,
      locate: (node) => top.locate(node),
      param(name) {
        params.add(name);
        return top.param(name);
      },
    };
    this.writer = inputWriter(state, this.slots);
  }

  /**
   * The Parallel's Parameters, when a branch needs a slot: each parameter the branches read by its
   * path (each is in every run's input: the define step rejects reading an optional parameter with no default), the
   * constants when the machine has them (its first state writes them), and the slots.
   */
  parameters(constants: boolean): PayloadTemplate | undefined {
    if (Object.keys(this.slots).length === 0) return undefined;
    const parameters: PayloadTemplate = {};
    for (const name of [...this.params].sort()) parameters[`${name}.$`] = this.top.param(name);
    if (constants) parameters["constants.$"] = "$.constants";
    parameters.results = this.slots;
    return parameters;
  }
}
