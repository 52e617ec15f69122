import { FlowDefinitionError } from "../../core/errors.ts";
import { mayBeAbsent } from "../../graph/left-out.ts";
import { isPrefix, sourcesOf } from "../../graph/sources.ts";
import type { Call, FlowGraph, ScopeFrame, ValueSource } from "../../graph/types.ts";
import type { GraphFlow } from "../../graph/types.ts";
import { GraphBuilder, withBuilder } from "./builder.ts";
import { flowBoundProblems } from "./flow-bounds.ts";
import { checkChildren } from "./subflow-cycles.ts";
import { type Reader, readers, whenValueProblems } from "./when-values.ts";

/** Keys of the state data that parameters may not use. */
const RESERVED_PARAMS = ["results", "constants"] as const;

/** Runs a flow body with a fresh builder and validates what it recorded. */
export function buildGraph(flow: GraphFlow, body: (params: never) => unknown): FlowGraph {
  const b = new GraphBuilder(flow.flowName);
  const params = flow.schema ? Object.keys(flow.schema.shape) : [];
  const refs = Object.fromEntries(params.map((name) => [name, b.ref({ kind: "param", name })]));
  let out: unknown;
  try {
    out = withBuilder(b, () => body(refs as never));
  } catch (cause) {
    if (cause instanceof FlowDefinitionError) throw cause;
    throw new FlowDefinitionError(
      `flow \`${flow.flowName}\``,
      [`its body threw: ${(cause as Error)?.message ?? cause}`],
      { cause },
    );
  }
  if (out instanceof Promise) {
    // Resolving it awaits the ref it returns, which throws: the problem below says it all.
    out.catch(() => undefined);
    b.problems.push(
      "its body is async; a flow body only wires task calls, so make it a plain (non-async) function",
    );
    out = undefined;
  }
  const result = out === undefined || out === null ? undefined : b.source(out, "the value the body returns");
  validate(b, flow, params, result);
  checkChildren(flow, b.calls.flatMap((c) => (c.kind === "subflow" ? [c.flow] : [])));
  if (b.problems.length)
    throw new FlowDefinitionError(`flow \`${flow.flowName}\` (${flow.site})`, b.problems);
  const secrets: Record<string, string[]> = {};
  for (const call of b.calls) {
    const names = sourcesOf(call).flatMap((s) => (s.kind === "secret" ? [s.name] : []));
    secrets[call.id] = [...new Set(names)].sort();
  }
  return {
    flow: flow.flowName,
    params,
    calls: b.calls,
    conditions: b.conditions,
    groups: b.groups.map((g) => ({ ...g, members: [...g.members] })),
    result,
    secrets,
  };
}

function validate(b: GraphBuilder, flow: GraphFlow, params: string[], result: ValueSource | undefined) {
  for (const name of params.filter((p) => (RESERVED_PARAMS as readonly string[]).includes(p))) {
    b.problems.push(
      `parameter \`${name}\` uses a name stepflow keeps for task results in state data; rename it`,
    );
  }
  if (b.calls.length === 0) {
    b.problems.push(
      "its body calls no task; call at least one task (a flow with nothing to run is a mistake)",
    );
  }
  const byId = new Map(b.calls.map((c) => [c.id, c]));
  // `where` is a thunk: a call's site is formatted only when there is a problem to report.
  const visible = (source: ValueSource, scope: readonly ScopeFrame[], where: () => string) => {
    if (source.kind !== "node") return;
    const producer = byId.get(source.node);
    if (producer && !isPrefix(producer.scope, scope)) {
      b.problems.push(
        `${where()} uses the result of \`${producer.state}\` (${producer.site}), which only runs inside a \`when\` branch; use it inside that branch`,
      );
    }
  };
  for (const call of b.calls) {
    for (const s of sourcesOf(call)) visible(s, call.scope, () => `\`${call.state}\` (${call.site})`);
    if (call.kind === "subflow" && call.flow === flow)
      b.problems.push(`it calls itself as a subflow at ${call.site}; flows cannot recurse`);
  }
  for (const c of b.conditions) {
    visible(c.source, c.scope, () => `the condition of \`when\` at ${c.site}`);
    checkConditionType(b, flow.schema, c.source, c.site, byId);
  }
  if (result) visible(result, [], () => "the value the body returns");
  const all = readers(b.calls, b.conditions, result);
  b.problems.push(...absentParamProblems(flow.schema, all));
  b.problems.push(...whenValueProblems(b.calls, b.conditions, all));
  b.problems.push(...flowBoundProblems(flow.options, b.calls, b.groups));
  if (result && result.kind !== "node") {
    b.problems.push(
      "its body returns something that is not a task or subflow result; return a task result or nothing",
    );
  }
}

/**
 * A parameter that may be left out (`.optional()` with no default) cannot be read by a state: a
 * state reads it by its path in the execution input, and Step Functions fails a state whose path
 * reaches a missing key (States.Runtime) once earlier tasks have run; JSON has no `undefined` to
 * stand in for it. One problem per parameter, naming every reader and the fix.
 */
function absentParamProblems(schema: GraphFlow["schema"], all: readonly Reader[]): string[] {
  if (!schema) return [];
  const readersOf = new Map<string, string[]>();
  for (const r of all) {
    for (const s of r.sources) {
      if (s.kind !== "param" || !mayBeAbsent(schema.shape[s.name])) continue;
      const list = readersOf.get(s.name) ?? readersOf.set(s.name, []).get(s.name)!;
      if (!list.includes(r.where())) list.push(r.where());
    }
  }
  return [...readersOf].map(
    ([name, who]) =>
      `parameter \`${name}\` may be left out (it is optional, or its type accepts undefined) and has no default, and ${who.join(", ")} read${who.length === 1 ? "s" : ""} it: a run that leaves it out would fail there with States.Runtime (Step Functions cannot read a missing key, and JSON has no undefined); give it a default, \`.default(<value>)\`, or \`.nullable().default(null)\` for "no value"`,
  );
}

function checkConditionType(
  b: GraphBuilder,
  schema: GraphFlow["schema"],
  source: ValueSource,
  site: string,
  byId: Map<string, Call>,
) {
  if (source.kind === "param" && schema) {
    const type = baseType(schema.shape[source.name]);
    if (type !== "boolean") {
      b.problems.push(
        `the condition of \`when\` at ${site} is parameter \`${source.name}\` of type ${type}, not boolean; use a boolean parameter or a task that returns a boolean`,
      );
    }
  }
  if (source.kind === "node") {
    const call = byId.get(source.node);
    if (call?.kind === "task" && call.map) {
      b.problems.push(
        `the condition of \`when\` at ${site} is the list of results of \`${call.state}.map(...)\`, not a boolean; reduce it with a task (e.g. any/all) first`,
      );
    }
  }
}

function baseType(t: unknown): string {
  let node = t as { _zod?: { def?: { type?: string; innerType?: unknown } } } | undefined;
  while (node?._zod?.def?.innerType) node = node._zod.def.innerType as typeof node;
  return node?._zod?.def?.type ?? "unknown";
}
