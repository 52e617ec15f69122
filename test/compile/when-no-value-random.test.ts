/**
 * Seeded random flows of tasks and `when`s whose values (missing on some branches) later tasks
 * read, run with stand-in handlers against a plain evaluation of the same program: every value
 * read, `undefined` included, is the one the branch that ran gave, and no Pass state is emitted
 * but for a `when` on a parameter (where nothing may have run before its Choice).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, flow, type Ref, task, when } from "../../sdk/index.ts";
import { rng } from "../support/random-flows.ts";
import { assertValidAsl, standInRun } from "../support/stand-in-run.ts";

/** An earlier value by index; -1 is the parameter `n`. */
type Pick = number;
interface Branch {
  readonly a: Pick;
  readonly b: Pick;
  /** Returns the task's result; else the branch gives no value. */
  readonly gives: boolean;
}
type Step =
  | { readonly kind: "task"; readonly a: Pick; readonly b: Pick }
  | { readonly kind: "when"; readonly cond: "flag" | Pick; readonly then: Branch; readonly otherwise?: Branch };
interface Program {
  readonly steps: readonly Step[];
  readonly result: readonly Pick[];
}

const mix = (a: number | undefined, b: number | undefined) => ((a ?? 7) * 3 + (b ?? 5) + 1) % 1000;
const even = (x: number | undefined) => (x ?? 1) % 2 === 0;
const show = (...xs: (number | undefined)[]) => xs.map((x) => (x === undefined ? "u" : String(x))).join(",");
const add = task("mix", mix);
const isEven = task("is-even", even);
const report = task("report", show);

function program(seed: number): Program {
  const r = rng(seed);
  const steps: Step[] = [];
  const pick = () => Math.floor(r() * (steps.length + 1)) - 1;
  const branch = (p: number): Branch => ({ a: pick(), b: pick(), gives: r() < p });
  const length = 4 + Math.floor(r() * 5);
  while (steps.length < length) {
    if (r() < 0.45) steps.push({ kind: "task", a: pick(), b: pick() });
    else steps.push({ kind: "when", cond: r() < 0.3 ? "flag" : pick(), then: branch(0.8), otherwise: r() < 0.4 ? undefined : branch(0.5) });
  }
  return { steps, result: [steps.length - 1, pick(), pick()] };
}

function build(seed: number, p: Program) {
  return flow(`when-values-${seed}`, { params: z.object({ n: z.number(), flag: z.boolean() }) }, ({ n, flag }) => {
    const values: Ref<number | undefined>[] = [];
    const at = (i: Pick) => (i < 0 ? n : values[i]);
    const run = (b: Branch) => () => {
      const v = add(at(b.a), at(b.b));
      return b.gives ? v : undefined;
    };
    for (const s of p.steps) {
      if (s.kind === "task") {
        values.push(add(at(s.a), at(s.b)));
        continue;
      }
      const cond = s.cond === "flag" ? flag : isEven(at(s.cond));
      values.push((s.otherwise ? when(cond, run(s.then), run(s.otherwise)) : when(cond, run(s.then))) as Ref<number | undefined>);
    }
    return report(...p.result.map(at));
  });
}

function evaluate(p: Program, params: { n: number; flag: boolean }): string {
  const values: (number | undefined)[] = [];
  const at = (i: Pick) => (i < 0 ? params.n : values[i]);
  for (const s of p.steps) {
    if (s.kind === "task") values.push(mix(at(s.a), at(s.b)));
    else {
      const b = (s.cond === "flag" ? params.flag : even(at(s.cond))) ? s.then : s.otherwise;
      values.push(b?.gives ? mix(at(b.a), at(b.b)) : undefined);
    }
  }
  return show(...p.result.map(at));
}

describe("random flows reading when values that can be missing", () => {
  it.each([1, 2, 3, 4, 5, 6])("seed %i: every value read is the branch's, and no Pass state but for a parameter's when", async (seed) => {
    const p = program(seed);
    const f = build(seed, p);
    const { definition } = compile(f);
    assertValidAsl(definition);
    const whens = p.steps.filter((s) => s.kind === "when");
    const paramWhens = new Set(whens.flatMap((s, i) => (s.cond === "flag" ? [`no value when_${i + 1}`] : [])));
    const passes = [...JSON.stringify(definition).matchAll(/"([^"]+)":\{"Type":"Pass"/g)].map((m) => m[1]);
    for (const name of passes) expect(paramWhens).toContain(name);
    for (const params of [
      { n: 0, flag: true },
      { n: 1, flag: false },
      { n: 2, flag: false },
    ]) {
      expect((await standInRun(f, params)).result).toBe(evaluate(p, params));
    }
  });
});
