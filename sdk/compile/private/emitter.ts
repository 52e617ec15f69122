/**
 * Emits states for a schedule of units into one block (a machine, a branch, an iteration).
 * Links are the loose ends of what was emitted: each is tied to the next state, or ends the block.
 */
import type { ValueSource } from "../../graph/types.ts";
import type { ChoiceState, MapState, ParallelState, State, StateMachineDefinition, TaskState } from "../asl.ts";
import type { EmitContext, IterationLead } from "./emit-context.ts";
import { KeySet } from "./key-set.ts";
import { replaceResults } from "./liveness.ts";
import { renameKey } from "./rename-key.ts";
import { type Block, collecting, conditionPath, WiringProblem } from "./locate.ts";
import { itemArgs, mapState } from "./map-state.ts";
import { ParallelInput } from "./parallel-input.ts";
import { parallelMerge } from "./parallel-merge.ts";
import { catchStoredList, mapSwitch, producerOf } from "./map-switch.ts";
import { joined, mergeWriter, resultsWriter, type SlotWriters, withoutCaught } from "./no-value-slots.ts";
import { type Schedule, spSchedule } from "./sp-schedule.ts";
import { subflowState, taskState } from "./states.ts";
import { leafIds, type Unit, unitLeaves } from "./units.ts";
import { uniqueName } from "./unique-name.ts";

type Link = (target: string | undefined) => void;
interface Segment {
  readonly start: string;
  readonly links: readonly Link[];
}

/** Emits one block's states. */
export class Emitter {
  readonly states: Record<string, State> = {};
  /** OutputPath of the states that end this block (set by `close`; `null` outputs `{}`). */
  private terminal: string | null | undefined;
  /** The states that can write a `when`'s "no value" here (no-value-slots.ts). */
  private writers: SlotWriters;

  constructor(
    readonly ctx: EmitContext,
    readonly block: Block,
    readonly defined: KeySet,
    /** Readers (call and condition ids) already emitted: what they read is dead after them. */
    readonly emitted: Set<string>,
    /** The group's lead and lists when this block is a Map iteration. */
    private readonly lead?: IterationLead,
    writers?: SlotWriters,
  ) {
    this.writers = writers;
  }

  /** An emitter for a Map iteration of this block: a fresh state layout with the group's lists. */
  iteration(block: Block, lead: IterationLead): Emitter {
    return new Emitter(this.ctx, block, new KeySet(), new Set(), lead);
  }

  /** Emits `units` scheduled for parallelism, returning the sub-machine. */
  machine(units: readonly Unit[], terminalOutputPath: string | undefined): StateMachineDefinition {
    const seg = this.units(units);
    if (!seg) throw new WiringProblem("internal", "a block has nothing to run");
    this.close(seg.links, terminalOutputPath);
    return { StartAt: seg.start, States: this.states };
  }

  units(units: readonly Unit[]): Segment | undefined {
    if (units.length === 0) return undefined;
    const index = this.ctx.index;
    // Inside a Map iteration calls run in sequence: the Map already runs items side by side, and a
    // Parallel state there would cost one more transition per item.
    const schedule: Schedule<Unit> =
      this.block.kind === "iteration"
        ? { kind: "seq", items: units.map((node) => ({ kind: "node", node })) }
        : spSchedule(units, (u) => index.deps(u, units), (u) => index.weight(u));
    return this.schedule(schedule);
  }

  /** Ties loose ends to the end of the block. */
  close(links: readonly Link[], terminalOutputPath: string | undefined) {
    this.terminal = terminalOutputPath;
    for (const link of links) link(undefined);
  }

  private schedule(s: Schedule<Unit>): Segment {
    if (s.kind === "node") return this.unit(s.node);
    if (s.kind === "par") return this.parallel(s.branches);
    const segments = s.items.map((item) => this.schedule(item));
    for (let i = 1; i < segments.length; i++)
      for (const link of segments[i - 1].links) link(segments[i].start);
    return { start: segments[0].start, links: segments.at(-1)!.links };
  }

  private unit(u: Unit): Segment {
    if (u.kind === "when") {
      this.emitted.add(u.id);
      return this.choice(u);
    }
    for (const leaf of unitLeaves(u)) this.emitted.add(leaf);
    if (u.kind === "map") return this.map(u);
    const call = u.call;
    const isLead = this.lead?.call === call;
    const items =
      call.kind === "task" && this.lead ? itemArgs(call, this.lead.lists) : new Map<number, string>();
    const state = this.tryBuild(call.state, () =>
      call.kind === "subflow"
        ? subflowState(call, this.block, this.ctx.childOutput(call.flow))
        : taskState(
            this.ctx.flow,
            call,
            this.block,
            this.ctx.hints.get(call.id),
            items,
            isLead ? this.lead!.lengthsPath : undefined,
          ),
    );
    if (!state) return this.add({ Type: "Pass" }, call.state, [call.id], true);
    if (call.kind === "task") this.ctx.taskStates.set(call.id, state);
    this.ctx.states.set(
      call.state,
      call.kind === "subflow"
        ? { kind: "subflow", flow: call.flow, call: call.id }
        : {
            kind: "task",
            task: call.task.taskName,
            call: call.id,
            group: call.map?.group,
          },
    );
    return this.produce(state, call.state, call.id, true);
  }

  /** Builds a state; on a wiring problem (noted) the caller puts a stand-in Pass state in its place. */
  private tryBuild<T>(state: string, build: () => T): T | undefined {
    return collecting(this.ctx.problems, state, build);
  }

  /**
   * Adds a state that produces result `own`. When every other key in the results is dead (no later
   * state reads it), the state replaces the results with its own: a chain whose tasks pass one
   * result on never grows state data, at no extra state or transition.
   */
  private produce(state: TaskState | MapState, name: string, own: string, exact = false): Segment {
    if (this.onlyDeadBesides(own)) {
      replaceResults(state, own);
      this.defined.clear();
    }
    // It writes the whole results when it replaced them, or can when they were empty.
    if (this.defined.size === 0) this.writers = [resultsWriter(state)];
    const segment = this.add(state, name, [own], exact);
    if (this.block.kind === "top") this.ctx.liveness.note(this.defined);
    return segment;
  }

  /** True when the results hold keys besides `own` and no later state reads any of them. */
  private onlyDeadBesides(own: string): boolean {
    let others = false;
    for (const k of this.defined) {
      if (k === own) continue;
      if (this.ctx.liveness.isLive(k, this.emitted)) return false;
      others = true;
    }
    return others;
  }

  /** A Map, or an inline and a Distributed Map picked at run time when the list's length decides (map-switch.ts). */
  private map(u: Extract<Unit, { kind: "map" }>): Segment {
    const name = `map ${u.members[0].state}`;
    const tasks = u.members.map((m) => m.state);
    if (!this.ctx.switched(u.group)) {
      const map = this.tryBuild(name, () => mapState(this, u));
      if (!map) return this.add({ Type: "Pass" }, name, [u.id]);
      const segment = this.produce(map, name, u.id);
      this.noteMap(segment.start, u, this.ctx.distributed(u.group), map.ItemsPath, tasks);
      return segment;
    }
    const s = this.tryBuild(name, () => mapSwitch(this, u));
    if (!s) return this.add({ Type: "Pass" }, name, [u.id]);
    const writersBefore = this.writers;
    const inline = this.produce(s.inline, name, u.id);
    this.noteMap(inline.start, u, false, s.inline.ItemsPath, tasks);
    // The same result key: `produce` already dropped the dead keys for both Maps, or for neither.
    if (s.inline.ResultPath === "$.results") replaceResults(s.distributed, u.id);
    // Either Map runs: a "no value" slot goes to both, or (when neither writes all results) to neither.
    if (this.writers !== writersBefore) this.writers = [resultsWriter(s.inline), resultsWriter(s.distributed)];
    const distributed = this.add(s.distributed, `${name.slice(0, 80 - s.suffix.length)}${s.suffix}`, []);
    this.noteMap(distributed.start, u, true, undefined, Object.keys(s.distributed.ItemProcessor.States));
    const links = [...inline.links, ...distributed.links];
    if (!s.choice) {
      catchStoredList(s.producer, this.block.locate(producerOf(u)).path, distributed.start);
      // Where the Distributed Map is reached by the producer's Catch, the producer wrote nothing.
      if (this.writers === writersBefore) this.writers = withoutCaught(this.writers, s.producer);
      return { start: inline.start, links };
    }
    const choiceName = uniqueName(this.ctx.names, `${name.slice(0, 60)}: inline or distributed`);
    this.states[choiceName] = s.choice;
    s.choice.Choices[0].Next = inline.start;
    s.choice.Default = distributed.start;
    const producer = this.ctx.index.calls.get(producerOf(u))!.state;
    this.ctx.states.set(choiceName, { kind: "map-switch", producer, inline: inline.start, distributed: distributed.start });
    return { start: choiceName, links };
  }

  private noteMap(
    name: string,
    u: Extract<Unit, { kind: "map" }>,
    distributed: boolean,
    itemsPath: string | undefined,
    tasks: string[],
  ): void {
    this.ctx.states.set(name, { kind: "map", group: u.group.id, distributed, itemsPath, tasks });
  }

  /** Adds a state that continues with `Next` (or ends the block). */
  private add(state: State, name: string, defines: string[], exact = false): Segment {
    // A call's state name is already reserved: compile puts every call's state in `ctx.names`.
    const unique = exact ? name : uniqueName(this.ctx.names, name);
    this.states[unique] = state;
    for (const key of defines) this.defined.add(key);
    const link: Link = (target) => {
      const s = state as State & { Next?: string; End?: true; OutputPath?: string | null };
      if (target) s.Next = target;
      else {
        s.End = true;
        if (this.terminal !== undefined) s.OutputPath = this.terminal;
      }
    };
    return { start: unique, links: [link] };
  }

  private parallel(branches: readonly Schedule<Unit>[]): Segment {
    const before = this.defined.snapshot();
    const state: ParallelState = { Type: "Parallel", Branches: [] };
    // Nothing ran before it (it starts the flow, or a Choice branch that does): its Parameters can write a "no value" slot its
    // branches need, where a Pass state would otherwise (parallel-input.ts).
    const input =
      this.writers === undefined && before.size === 0 && this.block.kind === "top"
        ? new ParallelInput(state, this.block)
        : undefined;
    // Branches share this block's `emitted` set: each branch's own readers are taken out again
    // after it, so the next branch sees only what ran before the Parallel (copying the set per
    // branch made a 1,000-task DAG's emit quadratic).
    const emitted = branches.map((b) => {
      const leaves = leafIds(b);
      const own = leaves.filter((leaf) => !this.emitted.has(leaf));
      const e = new Emitter(this.ctx, input?.block ?? this.block, new KeySet(before), this.emitted, this.lead, input ? [input.writer] : this.writers);
      const seg = e.schedule(b);
      for (const leaf of own) this.emitted.delete(leaf);
      return { e, seg, leaves };
    });
    for (const { leaves } of emitted) for (const leaf of leaves) this.emitted.add(leaf);
    const merge = parallelMerge(
      before,
      emitted.map(({ e }) => e.defined.added()),
      (k) => this.ctx.liveness.isLive(k, this.emitted),
      (k) => this.ctx.index.whens.has(k),
    );
    emitted.forEach(({ e, seg }, i) => e.close(seg.links, merge.values[i] ? `$.results.${merge.values[i]}` : "$.results"));
    this.defined.clear();
    for (const k of merge.keys) this.defined.add(k);
    const heads = emitted.map((x) => x.seg.start).join(" + ");
    const parameters = input?.parameters(Object.keys(this.ctx.constants).length > 0);
    Object.assign(state, {
      Branches: emitted.map(({ e, seg }) => ({ StartAt: seg.start, States: e.states })),
      ...(parameters ? { Parameters: parameters } : {}),
      ...(merge.keys.length ? { ResultSelector: merge.selector, ResultPath: "$.results" } : { ResultPath: null }),
    });
    // Without a selector its output is its input: the states that wrote that still did.
    if (state.ResultSelector) this.writers = [mergeWriter(state)];
    const segment = this.add(state, `parallel ${heads}`.slice(0, 80), []);
    if (this.block.kind === "top") this.ctx.liveness.note(this.defined);
    return segment;
  }

  private choice(u: Extract<Unit, { kind: "when" }>): Segment {
    const name = uniqueName(this.ctx.names, `if ${this.conditionLabel(u)}`);
    const choice: ChoiceState = {
      Type: "Choice",
      Choices: [{ Variable: this.tryBuild(name, () => conditionPath(this.block, u.condition.source)) ?? "$", BooleanEquals: true, Next: "" }],
    };
    this.states[name] = choice;
    // The when's value is read later: each branch's value task writes its result under the when's key.
    const valued = this.ctx.liveness.isLive(u.id, this.emitted);
    const entry = this.writers;
    const bare = this.defined.size === 0;
    const ends: SlotWriters[] = [];
    const branch = (units: readonly Unit[], value: ValueSource | undefined, set: (target: string) => void): Link[] => {
      const saved = new Set(this.defined);
      const before = new Set(Object.keys(this.states));
      this.writers = entry;
      const seg = this.units(units);
      ends.push(this.writers);
      this.defined.clear();
      for (const k of saved) this.defined.add(k);
      if (valued && value?.kind === "node") {
        for (const [n, state] of Object.entries(this.states)) if (!before.has(n)) renameKey(state, value.node, u.id);
      }
      const tie = valued && value?.kind !== "node" ? this.noValueEnds(u.id, this.writers) : (end: Link) => end;
      if (seg) {
        set(seg.start);
        return seg.links.map(tie);
      }
      return [tie((target) => set(target ?? this.done(bare)))];
    };
    const links = [
      ...branch(u.then, u.condition.values.then, (t) => {
        choice.Choices[0].Next = t;
      }),
      ...branch(u.otherwise, u.condition.values.else, (t) => {
        choice.Default = t;
      }),
    ];
    this.writers = joined(ends);
    if (valued) this.defined.add(u.id);
    return { start: name, links };
  }

  /**
   * The ends of a branch that gives its `when` no value (it returns nothing, or is missing). Where
   * the block ends with that value as its output, they end with `OutputPath: null`, whose output
   * `{}` is the "no value" envelope: no state. Where a later state reads the value, the key must
   * hold `{}` (a JSONPath to a missing key fails the state): the states that last wrote the whole
   * results on the branch's paths write it too (no-value-slots.ts), or the Parameters of the Parallel
   * that starts the flow (parallel-input.ts). Only where some path has no such state (nothing ran
   * before the Choice) does one Pass state write it.
   */
  private noValueEnds(key: string, writers: SlotWriters): (end: Link) => Link {
    const loc = this.block.locate(key);
    let pass: Segment | undefined;
    return (end) => (target) => {
      if (!target && loc.kind === "env" && this.terminal === loc.path) return this.endingWith(null, () => end(undefined));
      if (writers) {
        for (const write of writers) write(key);
        return end(target);
      }
      pass ??= this.add({ Type: "Pass", Result: {}, ResultPath: loc.path }, `no value ${key}`, []);
      end(pass.start);
      pass.links[0](target);
    };
  }

  /** Runs `tie` with the block's ends giving `output` as their OutputPath. */
  private endingWith(output: string | null, tie: () => void): void {
    const saved = this.terminal;
    this.terminal = output;
    try {
      tie();
    } finally {
      this.terminal = saved;
    }
  }

  private conditionLabel(u: Extract<Unit, { kind: "when" }>): string {
    const s = u.condition.source;
    if (s.kind === "param") return s.name;
    if (s.kind === "node") return this.ctx.index.calls.get(s.node)?.state ?? s.node;
    return u.id;
  }

  /**
   * A Succeed state ending the block, for a Choice branch with nothing to run. A Parallel branch
   * outputs its results; where no result was written before the Choice (the branch starts the
   * machine), there are none, and an OutputPath to them would fail the run: it outputs `{}`
   * instead, of which the merge reads nothing (a branch's results read later all come before).
   */
  private done(bare: boolean): string {
    const name = uniqueName(this.ctx.names, "done");
    const output = bare && this.terminal === "$.results" ? null : this.terminal;
    this.states[name] = { Type: "Succeed", ...(output !== undefined ? { OutputPath: output } : {}) };
    return name;
  }
}
