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
