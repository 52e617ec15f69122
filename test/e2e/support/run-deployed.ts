/**
 * Executes deployed state machines in aws-local-stepfunctions: every Lambda Task state calls
 * the bundle's exported handler, `import()`ed from the cloud assembly, with that Lambda's
 * environment from the template; every `startExecution.sync:2` state runs the child state
 * machine of the same template as a nested execution and answers as Step Functions does.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { ExecutionError, StateMachine } from "aws-local-stepfunctions";
import type { DeployedLambda, DeployedMachine } from "./deployed-machine.ts";

/** An execution's outcome. */
export interface DeployedRun {
  readonly runId: string;
  readonly executionArn: string;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;
type LocalHandler = (input: unknown) => Promise<never>;

/** Runs the machines of one deployment; records every Lambda invocation as `<function>:<state>`. */
export class DeployedRunner {
  /** Lambda invocations in order, as `<state>` names. */
  readonly invocations: string[] = [];
  private readonly savedEnv = new Map<string, string | undefined>();

  constructor(private readonly machines: (name: string) => DeployedMachine) {}

  /** Starts an execution of `name` with `input` named `runId` and waits for it. */
  async run(name: string, input: unknown, runId: string = randomUUID()): Promise<DeployedRun> {
    const machine = this.machines(name);
    const executionArn = `${machine.arn.replace(":stateMachine:", ":execution:")}:${runId}`;
    // Validates the definition as CreateStateMachine would.
    const engine = new StateMachine(machine.definition as never);
    const handlers: Record<string, LocalHandler> = {};
    const zeroRetries: Record<string, number> = {};
    for (const [state, lambda] of machine.lambdas) {
      handlers[state] = (event) => this.invoke(state, lambda, event) as Promise<never>;
      zeroRetries[state] = 0;
    }
    for (const [state, child] of machine.subflows) {
      handlers[state] = (request) => this.startSync(child, request, executionArn) as Promise<never>;
    }
    const execution = engine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: zeroRetries },
      context: {
        Execution: {
          Id: executionArn,
          Name: runId,
          Input: input as never,
          StartTime: new Date().toISOString(),
        },
        StateMachine: { Id: machine.arn, Name: name },
        // aws-local-stepfunctions does not maintain RetryCount; every attempt reports 0.
        State: { RetryCount: 0 },
      },
    });
    try {
      return { runId, executionArn, status: "SUCCEEDED", output: await execution.result };
    } catch (error) {
      const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
      return { runId, executionArn, status: "FAILED", error: { name: cause.name, message: cause.message } };
    }
  }

  /** Puts back every environment variable a Lambda invocation set. */
  restoreEnv(): void {
    for (const [name, value] of this.savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.savedEnv.clear();
  }

  /** One Lambda invocation: the function's environment, then its handler, as the runtime calls it. */
  private async invoke(state: string, lambda: DeployedLambda, event: unknown): Promise<unknown> {
    this.invocations.push(state);
    for (const [name, value] of Object.entries(lambda.env)) {
      if (!this.savedEnv.has(name)) this.savedEnv.set(name, process.env[name]);
      process.env[name] = value;
    }
    const module = (await import(pathToFileURL(lambda.file).href)) as Record<string, unknown>;
    const handler = module[lambda.exportName];
    if (typeof handler !== "function") {
      throw new Error(`${lambda.file} exports no function \`${lambda.exportName}\``);
    }
    const deadline = Date.now() + lambda.timeoutSeconds * 1000;
    const context = {
      functionName: lambda.functionName,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    return (handler as LambdaHandler)(event, context);
  }

  /** `states:startExecution.sync:2`: run the child to its end; fail the state if the child fails. */
  private async startSync(child: string, request: unknown, parentArn: string): Promise<unknown> {
    const { Input } = request as { Input: unknown };
    const run = await this.run(child, Input);
    if (run.status !== "SUCCEEDED") {
      const error = new Error(
        `child execution ${run.executionArn} of ${parentArn} failed: ${run.error?.message}`,
      );
      error.name = "States.TaskFailed";
      throw error;
    }
    return { ExecutionArn: run.executionArn, Output: run.output, Status: "SUCCEEDED" };
  }
}
