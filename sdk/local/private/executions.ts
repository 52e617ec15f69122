/**
 * Which state machine each local run executed, as Step Functions keeps it per execution
 * (DescribeStateMachineForExecution). `stepflow ui` draws a run's graph from it.
 * - `<dir>/machines/<hash>.json`: a compiled machine, once per distinct definition;
 * - `<dir>/executions.jsonl`: `{"run":runId,"machine":hash}` per run, appended when the run
 *   starts (a file kept open, where a file per run cost a run of one task more than its task);
 *   runs of earlier versions have `<dir>/executions/<runId>.jsonl` with `{"machine":hash}`.
 * Beside `history/`, not in it: the history folder holds only the history's own layout.
 * Written synchronously and never read first, like the history itself.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { StateMachineDefinition } from "../../compile/asl.ts";
import type { CompiledFlow } from "../../compile/types.ts";
import { assertRunId } from "../../core/run-id.ts";
import { sharedAppendFiles as logs } from "../../../functions/private/append-files.ts";
import { linesBackward } from "../../../functions/private/read-lines-backward.ts";

/** A compiled state machine as a run executed it. */
export interface RunMachine {
  readonly flow: string;
  readonly stateMachineName: string;
  /** The ASL `compile()` returned (with its `${...}` placeholders). */
  readonly definition: StateMachineDefinition;
  /** The task each Task state invokes, by state name. */
  readonly tasks: Readonly<Record<string, string>>;
  /** The child flow each subflow state starts, by state name. */
  readonly subflows: Readonly<Record<string, string>>;
  /**
   * The Task states each Map state's iteration runs, by Map state name. Absent in machines recorded
   * before it was kept (`stepflow ui` then reads it from the definition).
   */
  readonly maps?: Readonly<Record<string, readonly string[]>>;
}

/** A line of `executions.jsonl` (of a run's own file in the earlier layout, without `run`). */
type Line = { readonly run?: string; readonly machine: string };


const hashes = new WeakMap<CompiledFlow, { hash: string; text: string }>();

/** The machine record of `compiled`, hashed once per compiled flow. */
function machineOf(compiled: CompiledFlow): { hash: string; text: string } {
  let known = hashes.get(compiled);
  if (!known) {
    const tasks = Object.fromEntries(compiled.tasks.flatMap((t) => t.states.map((s) => [s, t.name])));
    const subflows = Object.fromEntries(subflowStates(compiled));
    const maps = Object.fromEntries(mapStates(compiled));
    const machine: RunMachine = {
      flow: compiled.flow,
      stateMachineName: compiled.stateMachineName,
      definition: compiled.definition,
      tasks,
      subflows,
      maps,
    };
    const text = JSON.stringify(machine);
    known = { hash: createHash("sha256").update(text).digest("hex").slice(0, 20), text };
    hashes.set(compiled, known);
  }
  return known;
}

/** `[state, child flow]` of each subflow state, from the compiler's index. */
function subflowStates(compiled: CompiledFlow): [string, string][] {
  return Object.entries(compiled.states).flatMap(([name, s]): [string, string][] =>
    s.kind === "subflow" ? [[name, s.flow.flowName]] : [],
  );
}

/** `[state, its iteration's Task states]` of each Map state, from the compiler's index. */
function mapStates(compiled: CompiledFlow): [string, readonly string[]][] {
  return Object.entries(compiled.states).flatMap(([name, s]): [string, readonly string[]][] =>
    s.kind === "map" ? [[name, s.tasks]] : [],
  );
}

/**
 * Folders made by this process (a session per run would make them again on every run): forgotten
 * when a write into them fails, so folders removed since are made again.
 */
const made = new Set<string>();

/** Writes and reads the execution records under `<dir>/`. */
export class ExecutionLog {
  private readonly root: string;

  constructor(dir: string | undefined) {
    this.root = resolve(dir ?? ".stepflow");
  }

  /** Records that `runId` started executing `compiled`. */
  started(compiled: CompiledFlow, runId: string): void {
    // Once more with the folders made again, if they were removed since this process made them.
    if (this.record(compiled, runId)) return;
    made.delete(this.root);
    // The run goes on either way: the graph is for viewing, not for the run.
    this.record(compiled, runId);
  }

  private record(compiled: CompiledFlow, runId: string): boolean {
    const { hash, text } = machineOf(compiled);
    try {
      if (!made.has(this.root)) {
        mkdirSync(join(this.root, "machines"), { recursive: true });
        made.add(this.root);
      }
      // Checked on every run (one stat): a machine file remembered as written would be missed
      // once `machines/` is removed under a long-lived process, and its runs would have no graph.
      const file = join(this.root, "machines", `${hash}.json`);
      if (!existsSync(file)) writeFileSync(file, text);
      const log = join(this.root, "executions.jsonl");
      // Kept open between runs (closed after a second without writes): written where it is now, should the folder have been removed since.
      logs.forgetIfReplaced(log);
      logs.append(log, `${JSON.stringify({ run: runId, machine: hash } satisfies Line)}\n`);
      return true;
    } catch {
      return false;
    }
  }

  /** The machine `runId` executed; `undefined` when the run was recorded without one (an older run). */
  async machineOf(runId: string): Promise<RunMachine | undefined> {
    // The log first: a run id given again (`runId`) is its newest run, and the earlier layout's files are old.
    const hash = (await this.logged(runId)) ?? (await this.ownFile(runId));
    return hash === undefined ? undefined : this.machine(hash);
  }

  /** The run's machine hash in `executions.jsonl`, read from its end (recent runs are found first). */
  private async logged(runId: string): Promise<string | undefined> {
    for await (const text of linesBackward(join(this.root, "executions.jsonl"))) {
      const line = parse(text);
      if (line?.run === runId) return line.machine;
    }
    return undefined;
  }

  /** The machine hash in the run's own file (the earlier layout), if it has one. */
  private async ownFile(runId: string): Promise<string | undefined> {
    const text = await readFile(this.file(runId), "utf8").catch(() => "");
    return text.split("\n").map(parse).find((l) => l !== undefined)?.machine;
  }

  private async machine(hash: string): Promise<RunMachine | undefined> {
    const text = await readFile(join(this.root, "machines", `${hash}.json`), "utf8").catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as RunMachine);
  }

  private file(runId: string): string {
    assertRunId(runId, "a history run id");
    return join(this.root, "executions", `${runId}.jsonl`);
  }
}

/** A line naming a machine (a hexadecimal hash), or `undefined`. */
function parse(text: string): Line | undefined {
  if (!text) return undefined;
  try {
    const line = JSON.parse(text) as Line;
    return typeof line.machine === "string" && /^[0-9a-f]+$/.test(line.machine) ? line : undefined;
  } catch {
    return undefined;
  }
}
