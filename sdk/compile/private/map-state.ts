/**
 * A map group as one Map state whose iteration runs the whole chain (depth-first). Inline Map for
 * modest lists; Distributed Map reading items from S3 when the group is declared large (or, through
 * map-switch.ts, when its list turns out too long at run time).
 */
import { sameSource } from "../../graph/sources.ts";
import type { MapGroup, TaskCall, ValueSource } from "../../graph/types.ts";
import type { MapState, PayloadTemplate } from "../asl.ts";
import { IterationBlock } from "./blocks.ts";
import type { MapParent } from "./emit-context.ts";
import { WiringProblem } from "./locate.ts";
import type { Unit } from "./units.ts";
import { RESULTS_BUCKET_PLACEHOLDER } from "../../core/deploy-names.ts";
import { runPrefix } from "../../core/protocol.ts";

type MapUnit = Extract<Unit, { kind: "map" }>;

/** Where a mapped list is, and whether its items are envelopes or raw values. */
interface ListSource {
  readonly path: string;
  /** Path appended to the item value (a Map rows column). */
  readonly itemSuffix: string;
  readonly raw: boolean;
  /** The list is stored in S3 at `<path>` (a Distributed Map's ItemReader). */
  readonly stored?: boolean;
}

/**
 * Builds the Map state of `unit` in `parent`'s block: inline, or distributed (the group is large, or
 * this is the distributed side of a run-time switch, see map-switch.ts).
 */
export function mapState(
  parent: MapParent,
  unit: MapUnit,
  mode: "inline" | "distributed" = parent.ctx.distributed(unit.group) ? "distributed" : "inline",
): MapState {
  const { ctx } = parent;
  const group = unit.group;
  const distributed = mode === "distributed";
  const iteration = new IterationBlock(group, parent.block);
  const lists = group.lists.map((l, i) =>
    listSource(parent, group.id, l.arg, l.source, distributed && i === 0),
  );
  if (distributed && lists.length > 1) {
    throw new WiringProblem(
      "map-list",
      `\`${unit.members[0].state}.map(...)\` is large (Distributed Map) and iterates ${lists.length} lists; a large map iterates one list, so pass the others with \`unmapped(...)\``,
    );
  }
  const lengthsPath = lists.length > 1 ? "$.lengths" : undefined;
  const inner = parent.iteration(iteration, { call: unit.members[0], lists: group.lists, lengthsPath });
  const units: Unit[] = unit.members.map((m) => ({ kind: "call", id: m.id, call: m }));
  const processor = inner.machine(units, "$.results");

  const item: PayloadTemplate = {};
  lists.forEach((list, i) => {
    const arg = group.lists[i].arg;
    const value =
      i === 0
        ? `$$.Map.Item.Value${list.itemSuffix}`
        : `States.ArrayGetItem(${list.path}, $$.Map.Item.Index)`;
    if (i > 0 && list.itemSuffix) {
      throw new WiringProblem(
        "map-list",
        `\`${unit.members[0].state}.map(...)\` iterates the results of another \`.map\` in lockstep with a second list; map over one of them and pass the other with \`unmapped(...)\``,
      );
    }
    if (list.raw) item[`a${arg}`] = { "v.$": value };
    else item[`a${arg}.$`] = value;
  });
  const selector: PayloadTemplate = { "run.$": parent.block.runPath, "index.$": "$$.Map.Item.Index", item };
  if (iteration.outer.size) {
    selector.outer = Object.fromEntries([...iteration.outer].map(([id, loc]) => [`${id}.$`, loc.path]));
  }
  if (iteration.params.size) {
    selector.params = Object.fromEntries(
      [...iteration.params].sort().map((p) => [`${p}.$`, parent.block.param(p)]),
    );
  }
  if (lengthsPath) {
    selector["lengths.$"] = `States.Array(${lists.map((l) => `States.ArrayLength(${l.path})`).join(", ")})`;
  }

  const state: MapState = {
    Type: "Map",
    ...(lists[0].stored ? {} : { ItemsPath: lists[0].path }),
    ItemSelector: selector,
    ItemProcessor: distributed
      ? { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, ...processor }
      : processor,
    ResultPath: `$.results.${group.id}`,
  };
  if (group.maxConcurrency) state.MaxConcurrency = group.maxConcurrency;
  const reading = withItems(state, lists[0]);
  // Rows keep only the members a later state reads (the iteration dropped the others).
  if (!distributed) {
    const first = group.lists[0].source;
    const producer =
      first.kind === "node" && lists[0].path.endsWith(".items") && !group.large ? first.node : undefined;
    ctx.maps.set(group.id, { state: reading, columns: [...inner.defined], itemsPath: lists[0].path, producer });
  }
  if (!distributed) return reading;
  ctx.distributedMaps.push(`map ${unit.members[0].state}`);
  // `{}`: the run id, which States.Format puts in at run time.
  const prefix = `${runPrefix(ctx.flow, "{}")}${group.id}`;
  return {
    ...reading,
    ResultWriter: {
      Resource: "arn:aws:states:::s3:putObject",
      Parameters: {
        Bucket: `\${${RESULTS_BUCKET_PLACEHOLDER}}`,
        "Prefix.$": `States.Format('${prefix}', ${parent.block.runPath})`,
      },
    },
    ResultSelector: { "manifest.$": "$.ResultWriterDetails" },
    // No `ToleratedFailurePercentage`: its default, 0, is what a flow needs (one failed item fails
    // the Map), and the rehearsal's ASL parser (LocalStack's, in moto) rejects an integer there.
    Label: group.id.slice(0, 40),
  };
}

function withItems(state: MapState, list: ListSource): MapState {
  if (!list.stored) return state;
  return {
    ...state,
    ItemReader: {
      Resource: "arn:aws:states:::s3:getObject",
      ReaderConfig: { InputType: "JSON" },
      Parameters: { Bucket: `\${${RESULTS_BUCKET_PLACEHOLDER}}`, "Key.$": list.path },
    },
  };
}

function listSource(
  parent: MapParent,
  groupId: string,
  arg: number,
  source: ValueSource,
  stored: boolean,
): ListSource {
  switch (source.kind) {
    case "param":
      return { path: parent.block.param(source.name), itemSuffix: "", raw: true };
    case "const": {
      const key = `${groupId}_a${arg}`;
      parent.ctx.constants[key] = source.value;
      return { path: `$.constants.${key}`, itemSuffix: "", raw: true };
    }
    case "secret":
      throw new WiringProblem(
        "map-list",
        `a secret cannot be mapped over (group \`${groupId}\`); pass it with \`unmapped(...)\``,
      );
    case "object":
    case "array":
      throw new WiringProblem(
        "map-list",
        `\`${groupId}\` maps over a list written in the flow body that holds refs; return the list from a task and map over its result`,
      );
    case "node": {
      if (parent.ctx.index.calls.get(source.node)?.kind === "subflow") {
        throw new WiringProblem(
          "map-list",
          `\`${groupId}\` maps over a subflow's result; map inside the subflow, or pass the result through a task first`,
        );
      }
      const loc = parent.block.locate(source.node);
      if (loc.kind === "rows") return { path: loc.path, itemSuffix: `.${loc.col}`, raw: false };
      if (loc.kind === "manifest") {
        throw new WiringProblem(
          "map-list",
          `\`${groupId}\` maps over the results of a large (Distributed) map; reduce those results with a task first and map over its result`,
        );
      }
      if (stored) return { path: `${loc.path}.s3`, itemSuffix: "", raw: true, stored: true };
      return { path: `${loc.path}.items`, itemSuffix: "", raw: false };
    }
  }
}

/** The arguments of a call in a Map iteration that are items of the lists the Map iterates. */
export function itemArgs(call: TaskCall, lists: MapGroup["lists"]): Map<number, string> {
  const items = new Map<number, string>();
  call.args.forEach((a, i) => {
    if (a.mode !== "mapped") return;
    const list = lists.find((l) => sameSource(l.source, a.source));
    if (list) items.set(i, `$.item.a${list.arg}`);
  });
  return items;
}
