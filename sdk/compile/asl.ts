import type { Json } from "../core/json.ts";
/**
 * Typed Amazon States Language (JSONPath flavour), the subset stepflow emits.
 * @see https://states-language.net/spec.html
 */

/** A payload template: keys ending in `.$` hold paths or intrinsic functions. */
export type PayloadTemplate = { [key: string]: Json | PayloadTemplate };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}

interface Base {
  Comment?: string;
  InputPath?: string;
  /** `null` gives the state's output as `{}`. */
  OutputPath?: string | null;
  Next?: string;
  End?: true;
}

export interface TaskState extends Base {
  Type: "Task";
  Resource: string;
  Parameters?: PayloadTemplate;
  ResultSelector?: PayloadTemplate;
  ResultPath?: string | null;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

/** A Choice rule: a `when` condition (`BooleanEquals`), or whether a value is present (`IsPresent`). */
export type ChoiceRule = { Variable: string; Next: string } & (
  | { BooleanEquals: boolean }
  | { IsPresent: boolean }
);

export interface ChoiceState {
  Type: "Choice";
  Comment?: string;
  Choices: ChoiceRule[];
  Default?: string;
}

export interface ParallelState extends Base {
  Type: "Parallel";
  Branches: StateMachineDefinition[];
  Parameters?: PayloadTemplate;
  ResultSelector?: PayloadTemplate;
  ResultPath?: string | null;
  Retry?: Retrier[];
}

export interface ItemReader {
  Resource: "arn:aws:states:::s3:getObject";
  ReaderConfig: { InputType: "JSON" };
  Parameters: PayloadTemplate;
}

export interface ResultWriter {
  Resource: "arn:aws:states:::s3:putObject";
  Parameters: PayloadTemplate;
}

export interface MapState extends Base {
  Type: "Map";
  ItemsPath?: string;
  ItemReader?: ItemReader;
  ItemSelector?: PayloadTemplate;
  ItemProcessor: StateMachineDefinition & {
    ProcessorConfig?: { Mode: "INLINE" } | { Mode: "DISTRIBUTED"; ExecutionType: "STANDARD" | "EXPRESS" };
  };
  MaxConcurrency?: number;
  ResultWriter?: ResultWriter;
  ResultSelector?: PayloadTemplate;
  ResultPath?: string | null;
  ToleratedFailurePercentage?: number;
  Label?: string;
}

export interface PassState extends Base {
  Type: "Pass";
  Result?: Json;
  ResultPath?: string | null;
}

export interface SucceedState {
  Type: "Succeed";
  Comment?: string;
  InputPath?: string;
  OutputPath?: string | null;
}

export type State = TaskState | ChoiceState | ParallelState | MapState | PassState | SucceedState;

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
}

/** One state of a definition and the machine (the definition, a Parallel branch or a Map iteration) it sits in. */
export interface NestedState {
  readonly name: string;
  readonly state: State;
  readonly within: StateMachineDefinition;
}

/**
 * Every state of `d`, nested ones included (Parallel branches, Map iterations, Distributed ones
 * too), parents before their children. The one walk of a definition's states: state names are
 * unique across the whole machine, so a name found here keys the compile index.
 */
export function* nestedStates(d: StateMachineDefinition): Generator<NestedState> {
  for (const [name, state] of Object.entries(d.States)) {
    yield { name, state, within: d };
    if (state.Type === "Parallel") for (const b of state.Branches) yield* nestedStates(b);
    if (state.Type === "Map") yield* nestedStates(state.ItemProcessor);
  }
}
