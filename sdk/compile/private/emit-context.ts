/**
 * What the emitters of one machine share (the compile-wide context) and what an iteration's
 * emitter knows of its Map. Apart from the emitter, so the Map state builder can name them.
 */
import type { MapGroup, TaskCall } from "../../graph/types.ts";
import type { DefinitionProblem } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import type { OutputHint } from "../../core/protocol.ts";
import type { StateMachineDefinition, TaskState } from "../asl.ts";
import type { BlockFacts } from "./blocks.ts";
import type { Liveness } from "./liveness.ts";
import type { Block } from "./locate.ts";
import type { MapRecord } from "./shares.ts";
import type { Unit } from "./units.ts";
import type { EmittedState } from "./state-index.ts";

/** What an iteration's emitter knows of its Map: the lead call, the lists, the lengths check. */
export interface IterationLead {
  readonly call: TaskCall;
  readonly lists: MapGroup["lists"];
  readonly lengthsPath?: string;
}

/** Compile-wide state shared by all emitters of one machine. */
export interface EmitContext extends BlockFacts {
  readonly flow: string;
  readonly names: Set<string>;
  readonly hints: ReadonlyMap<string, OutputHint[]>;
  readonly constants: Record<string, Json>;
  readonly distributedMaps: string[];
  readonly liveness: Liveness;
  /** Lambda Task states by call id, and inline Maps by group id, for `assignShares`. */
  readonly taskStates: Map<string, TaskState>;
  readonly maps: Map<string, MapRecord>;
  /** What each emitted Task and Map state is, by state name (\`CompiledFlow.states\`). */
  readonly states: Map<string, EmittedState>;
  /** The wiring problems found so far: compile reports them all at once. */
  readonly problems: DefinitionProblem[];
  /** True when a group's Map is chosen at run time, inline or distributed (map-switch.ts). */
  readonly switched: (group: MapGroup) => boolean;
}

/** What the Map state builder needs of the emitter of the block the Map sits in. */
export interface MapParent {
  readonly ctx: EmitContext;
  readonly block: Block;
  /** An emitter for the Map's iteration. */
  iteration(block: Block, lead: IterationLead): {
    readonly defined: Iterable<string>;
    machine(units: readonly Unit[], terminalOutputPath: string | undefined): StateMachineDefinition;
  };
}
