/**
 * The flows bench/local.ts runs. In their own module, without top-level side effects, so that the
 * worker threads of \`isolation: "worker"\` can load them.
 */
import { z } from "zod";
import { flow, type Ref, task } from "../sdk/index.ts";

const items = task("items", (n: number) => Array.from({ length: n }, (_, i) => i));
const inc = task("inc", (x: number) => x + 1);
const double = task("double", (x: number) => x * 2);
export const mapFlow = flow("bench-map", { params: z.object({ n: z.number() }) }, ({ n }) => inc.map(items(n)));
export const chainFlow = flow("bench-chain", () => {
  let r: Ref<number> = inc(0);
  for (let i = 1; i < 200; i++) r = inc(r);
  return r;
});
/** 500 sequential tasks. */
export const chain500Flow = flow("bench-chain-500", () => {
  let r: Ref<number> = inc(0);
  for (let i = 1; i < 500; i++) r = inc(r);
  return r;
});
/** A Map of two chained tasks per item. */
export const mapChainFlow = flow("bench-map-chain", { params: z.object({ n: z.number() }) }, ({ n }) =>
  double.map(inc.map(items(n))),
);
/** One task: a run's fixed cost. */
export const oneFlow = flow("bench-one", () => inc(0));
