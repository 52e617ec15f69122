import type { z } from "zod";
import type { Duration } from "../duration.ts";
import { toSeconds } from "../duration.ts";
import { namePrefix } from "../core/deploy-names.ts";
import { ScheduleError, UsageError } from "../core/errors.ts";
import type { FlowGraph } from "../graph/types.ts";
import { buildGraph } from "./private/build-graph.ts";
import { parseParams } from "./private/parse-params.ts";
import { currentBuilder } from "./private/builder.ts";
import { guardCycles } from "./private/subflow-cycles.ts";
import { callSite } from "./private/call-site.ts";
import type { Input, Ref } from "./ref.ts";
import type { Notifier, ResolvedFlowOptions, Schedule } from "../graph/options.ts";
import { camel } from "./private/camel.ts";

/** Refs to a flow's parameters, as its body receives them. */
export type ParamRefs<P> = { readonly [K in keyof P]-?: Ref<P[K]> };

/** A zod object schema of a flow's parameters. */
export type ParamsSchema = z.ZodObject;

/** Options of a flow. */
export interface FlowOptions<S extends ParamsSchema> {
  /** The parameters, as a zod object; bad parameters are rejected before a run starts. @default no parameters */
  readonly params?: S;
  /** When to run it on AWS (EventBridge). @default [] */
  readonly schedules?: readonly Schedule[];
  /** Notifications on run status changes. @default [] */
  readonly notify?: readonly Notifier[];
  /** Fail the run after this long (state machine `TimeoutSeconds`). @default no limit */
  readonly timeout?: Duration;
  /** Shown in the console and `stepflow graph`. @default "" */
  readonly description?: string;
  /** Step Functions workflow type; EXPRESS suits short, high-rate flows. @default "STANDARD" */
  readonly type?: "STANDARD" | "EXPRESS";
}

/**
 * A flow: a graph of task calls compiled to one state machine. Call it inside another flow's
 * body to run it as a subflow.
 */
export interface Flow<PIn, POut, R> {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends P` is how to ask "are all params optional"
  (...params: {} extends PIn ? [params?: SubflowParams<PIn>] : [params: SubflowParams<PIn>]): Ref<R>;
  readonly flowName: string;
  readonly options: ResolvedFlowOptions;
  readonly schema: ParamsSchema | undefined;
  /** Where the flow was defined. */
  readonly site: string;
  /** The validated graph; throws `FlowDefinitionError` listing every problem. */
  graph(): FlowGraph;
  /**
   * Validates and completes (defaults) parameters; throws `ParamsError` naming every bad field, or
   * saying the parameters are over the 256 KB an execution input may be. Given what it returned
   * before, it returns that as it is: validated at the boundary (CLI, client), params are not
   * validated again downstream (`runLocal`, `start`).
   */
  parse(params: unknown): POut;
}

/** What a subflow call accepts: each parameter as a value or a ref. */
export type SubflowParams<P> = { [K in keyof P]: Input<P[K]> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest flow type, for collections of flows
export type AnyFlow = Flow<any, any, unknown>;

/** The parameters a flow accepts (before defaults). */
export type FlowParams<F> = F extends Flow<infer P, unknown, unknown> ? P : never;
/** The result type of a flow. */
export type FlowResult<F> = F extends (...args: never[]) => Ref<infer R> ? R : never;

type Body<S extends ParamsSchema, R> = (params: ParamRefs<z.output<S>>) => Ref<R> | undefined | void;

/**
 * Defines a flow. The body runs once, when the flow is compiled, to record its task calls.
 * @example
 * export const etl = flow("etl", { params: z.object({ month: z.string() }) }, ({ month }) => load(transform(extract(month))));
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a flow without params takes the empty object
export function flow<R = null>(name: string, body: Body<z.ZodObject<{}>, R>): Flow<{}, {}, R>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the default schema is the empty object
export function flow<S extends ParamsSchema = z.ZodObject<{}>, R = null>(
  name: string,
  options: FlowOptions<S>,
  body: Body<S, R>,
): Flow<z.input<S>, z.output<S>, R>;
export function flow(name: string, ...rest: unknown[]): AnyFlow {
  const body = rest.at(-1) as Body<ParamsSchema, unknown>;
  const options = (rest.length === 2 ? rest[0] : {}) as FlowOptions<ParamsSchema>;
  if (typeof body !== "function")
    throw new UsageError(`flow \`${name}\` needs a body function as its last argument`);
  if (!/^[A-Za-z][A-Za-z0-9-]{0,70}$/.test(name)) {
    throw new UsageError(
      `flow name \`${name}\` is not allowed; use up to 71 letters, digits or \`-\`, starting with a letter (it names the state machine \`${namePrefix()}-${name}\`)`,
    );
  }
  const site = callSite();
  let graph: FlowGraph | undefined;
  const call = (params?: Record<string, unknown>) => {
    const b = currentBuilder();
    if (!b) {
      throw new UsageError(
        `flow \`${name}\` was called outside a flow body; run it with \`runLocal(${camel(name)}, params)\` or \`client.start(${camel(name)}, params)\``,
      );
    }
    return b.subflow(self, params ?? {}, callSite());
  };
  const self: AnyFlow = Object.assign(call, {
    flowName: name,
    site,
    schema: options.params,
    options: {
      schedules: options.schedules ?? [],
      notify: options.notify ?? [],
      timeoutSeconds:
        options.timeout === undefined ? undefined : toSeconds(options.timeout, `flow \`${name}\` timeout`),
      description: options.description ?? "",
      type: options.type ?? "STANDARD",
    },
    graph: () => {
      graph ??= guardCycles(self, () => buildGraph(self, body));
      return graph;
    },
    parse: (params: unknown) => parseParams(self, params),
  });
  checkSchedules(self);
  return self;
}

/**
 * Each schedule's params against the flow's schema, when the flow is defined: a scheduled run
 * with bad params would fail on AWS every time it fires, and `stepflow run` or a test should
 * say so before any deploy.
 * @throws ScheduleError naming the schedule and every bad field.
 */
function checkSchedules(f: AnyFlow): void {
  for (const s of f.options.schedules) {
    try {
      f.parse(s.params);
    } catch (cause) {
      throw new ScheduleError(
        `schedule \`${s.expression}\` of flow \`${f.flowName}\` has invalid params: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
}
