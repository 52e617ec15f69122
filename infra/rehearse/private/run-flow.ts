/**
 * One run in the rehearsed stack: started through `StepflowClient`, its status-change events
 * (and its subflow runs') delivered as EventBridge would, its result decoded as the client
 * decodes it, and its task records read back from the deployed history table.
 */
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { AnyFlow } from "stepflow";
import type { ExecutionStatus, StepflowClient } from "stepflow/client";
import type { TaskRunRecord } from "stepflow/runtime";
import type { DeployedStack } from "./deployed-stack.ts";
import type { InvokeResult, RehearsalFunction } from "./lambda-pool.ts";
import type { StatusDelivery } from "./status-delivery.ts";

/** How a rehearsed run ended. */
export interface RehearsalRun {
  readonly flow: string;
  readonly runId: string;
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  /** The flow's result, decoded, when it succeeded. */
  readonly result?: unknown;
  /** The execution's error and cause, when it did not succeed. */
  readonly error?: { readonly name: string; readonly message: string };
  /** Task-run records from the deployed history table, in state / index / attempt order. */
  readonly tasks: readonly TaskRunRecord[];
  /** IAM denials and failed event deliveries during the run: the rehearsal fails when any. */
  readonly problems: readonly string[];
  readonly durationMs: number;
}

/** What a run needs from the rehearsal. */
export interface RunContext {
  readonly client: StepflowClient;
  readonly sfn: SFNClient;
  readonly stack: DeployedStack;
  readonly delivery: StatusDelivery;
  readonly invoke: (fn: RehearsalFunction, event: unknown) => Promise<InvokeResult>;
  /** The rehearsal's denial list; the run reports the ones added while it ran. */
  readonly denials: readonly string[];
  readonly timeoutMs: number;
}

/** Starts `flow`, waits for it, delivers its events; resolves with how it ended. */
export async function runFlow(flow: AnyFlow, params: unknown, ctx: RunContext): Promise<RehearsalRun> {
  const started = Date.now();
  const deniedBefore = ctx.denials.length;
  const before = await executionArns(ctx);
  const handle = await ctx.client.start(flow, params as never);
  const problems: string[] = [];
  problems.push(...(await deliver(ctx, handle.executionArn)));
  const ended = await handle.wait({ timeout: ctx.timeoutMs, pollInterval: 250, maxPollInterval: 1000 });
  // Subflow runs first, as their ends reach EventBridge before their parent's.
  for (const arn of await executionArns(ctx)) {
    if (before.has(arn) || arn === handle.executionArn) continue;
    problems.push(...(await deliverStartAndEnd(ctx, arn)));
  }
  problems.push(...(await deliver(ctx, handle.executionArn)));
  const succeeded = ended.status === "SUCCEEDED";
  const result = succeeded ? await handle.result() : undefined;
  const tasks = (await ctx.client.run(handle.runId).catch(() => ({ tasks: [] }))).tasks;
  problems.unshift(...ctx.denials.slice(deniedBefore));
  return {
    flow: flow.flowName,
    runId: handle.runId,
    executionArn: handle.executionArn,
    status: ended.status,
    ...(succeeded ? { result } : { error: { name: ended.error ?? "States.Runtime", message: ended.cause ?? "" } }),
    tasks,
    problems,
    durationMs: Date.now() - started,
  };
}

async function deliver(ctx: RunContext, executionArn: string): Promise<string[]> {
  const execution = await ctx.sfn.send(new DescribeExecutionCommand({ executionArn }));
  return ctx.delivery.deliver(execution, ctx.invoke);
}

/** A run that started and ended while nobody watched: its RUNNING event, then its end. */
async function deliverStartAndEnd(ctx: RunContext, executionArn: string): Promise<string[]> {
  const execution = await ctx.sfn.send(new DescribeExecutionCommand({ executionArn }));
  const running = { ...execution, status: "RUNNING" as const, stopDate: undefined, output: undefined };
  return [...(await ctx.delivery.deliver(running, ctx.invoke)), ...(await ctx.delivery.deliver(execution, ctx.invoke))];
}

async function executionArns(ctx: RunContext): Promise<Set<string>> {
  const arns = new Set<string>();
  for (const machine of ctx.stack.stateMachines.values()) {
    const out = await ctx.sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.arn, maxResults: 1000 }));
    for (const e of out.executions ?? []) if (e.executionArn) arns.add(e.executionArn);
  }
  return arns;
}
