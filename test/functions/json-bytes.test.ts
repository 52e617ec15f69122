/**
 * `jsonBytes` counts a value's JSON bytes without building the text; the 256 KB limits of a local
 * run depend on it, so it must agree with `Buffer.byteLength(JSON.stringify(value))` on every value.
 */
import { describe, expect, it } from "vitest";
import { jsonBytes } from "../../functions/private/json.ts";

const serialised = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? "null");

/** A deterministic pseudo-random stream (the same values on every run). */
function stream(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

const STRINGS = ["", "a", "plain text", 'q"uote', "back\\slash", "tab\t", "nl\n", "é", "日本", "😀", "\ud800", "\u0000", "\u007f", "~ "];
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789012345, 2 ** 53, -3.5, Number.NaN, Number.POSITIVE_INFINITY];

function value(next: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const k = next();
  if (depth > 4 || k < 0.35) {
    const t = next();
    if (t < 0.3) return pick(STRINGS) + (next() < 0.5 ? String(Math.floor(next() * 1000)) : "");
    if (t < 0.6) return pick(NUMBERS);
    if (t < 0.7) return next() < 0.5;
    if (t < 0.8) return null;
    if (t < 0.85) return undefined;
    if (t < 0.88) return () => 1;
    return new Date(Math.floor(next() * 1e12));
  }
  if (k < 0.65) return Array.from({ length: Math.floor(next() * 5) }, () => value(next, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(next() * 5); i++) o[`${pick(STRINGS)}${i}`] = value(next, depth + 1);
  return o;
}

describe("jsonBytes", () => {
  it("agrees with the serialised JSON's UTF-8 length on 20,000 random values", () => {
    const next = stream(7);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = value(next, 0);
      if (jsonBytes(v) !== serialised(v)) mismatches.push(JSON.stringify(v));
    }
    expect(mismatches).toStrictEqual([]);
  });

  it("agrees on values JSON writes its own way: boxed, keyed collections, classes, holes, deep nesting", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      get sum() {
        return this.x + this.y;
      }
    }
    const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
    // A hole, as JSON writes it (`null`).
    const holes: unknown[] = [1];
    holes[2] = 3;
    let deep: unknown = "end";
    for (let i = 0; i < 200; i++) deep = i % 2 ? [deep] : { d: deep };
    const odd = [
      undefined,
      new Number(3),
      new String("boxed"),
      new Boolean(false),
      new Map([["a", 1]]),
      new Set([1]),
      new Uint8Array([1, 2]),
      new Point(1, 2),
      nullProto,
      holes,
      { toJSON: () => ({ replaced: true }) },
      { [Symbol("s")]: 1, kept: Symbol("v"), f: () => 1 },
      deep,
    ];
    expect(odd.map(jsonBytes)).toStrictEqual(odd.map(serialised));
  });

  it("throws on what JSON cannot write", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonBytes({ n: 1n })).toThrow(TypeError);
    expect(() => jsonBytes(cycle)).toThrow(TypeError);
  });
});
