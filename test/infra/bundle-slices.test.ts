import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bundleAll } from "../../infra/private/bundle.ts";
// @ts-expect-error plain JavaScript module of the bundle worker, without types
import { annotatePure } from "../../infra/private/bundle-pure.mjs";
// @ts-expect-error plain JavaScript module of the bundle worker, without types
import { sliceFor } from "../../infra/private/bundle-slices.mjs";
import { taskRequest } from "../../infra/private/task-bundle.ts";
import { tempDir } from "../support/temp-dir.ts";
import * as fixture from "./fixtures/many-tasks.ts";

const FILE = fileURLToPath(new URL("./fixtures/many-tasks.ts", import.meta.url));
const cut = (name: string) => sliceFor(FILE, annotatePure(readFileSync(FILE, "utf8")), name) as string;
const tasks = Array.from({ length: 18 }, (_, i) => (fixture as Record<string, unknown>)[`t${i}`] as Parameters<typeof taskRequest>[0]);

describe("a task module cut to one task's export", () => {
  it("keeps the imports, statements with side effects and what the task mentions, and drops other tasks and the flow", () => {
    const t5 = cut("t5");
    expect(t5).toContain('export const t5 = /* @__PURE__ */ task("t5"');
    expect(t5).toMatch(/^\/\*\*[\s\S]*import \{ flow, task \} from "stepflow";\nimport \{ z \} from "zod";/);
    for (const kept of ["MARKER_SIDE_EFFECT", "MARKER_ENUM", "MARKER_CLASS", "export { unusedConfig }", "MARKER_UNUSED_CONFIG"])
      expect(t5).toContain(kept);
    for (const dropped of ["MARKER_T4", "MARKER_T6", "MARKER_SHARED", 'flow("many"']) expect(t5).not.toContain(dropped);
    // A helper declared before the task comes with it.
    expect(cut("t0")).toContain("MARKER_SHARED");
    expect(cut("t0")).not.toContain("MARKER_T1");
  });

  it("is not made for a name the module does not declare", () => {
    expect(cut("nope")).toBeUndefined();
  });
});

describe("bundles of a module with many tasks", () => {
  it("hold the same code whether the module is cut per task or copied whole: each task's own, no other task's", () => {
    const options = { outRoot: tempDir("stepflow-slices-"), bundleAwsSdk: false };
    const sliced = tasks.map((t) => taskRequest(t, options));
    const whole = sliced.map(({ slice: _, ...r }) => r);
    const built = bundleAll([...sliced, ...whole]);
    const markers = (dir: string) => {
      const text = readdirSync(dir)
        .filter((f) => f.endsWith(".mjs"))
        .map((f) => readFileSync(`${dir}/${f}`, "utf8"))
        .join("\n");
      return [...new Set(text.match(/MARKER_\w+/g))].sort();
    };
    tasks.forEach((_, i) => {
      const got = markers(built[i].dir);
      expect(got, `t${i}`).toStrictEqual(markers(built[tasks.length + i].dir));
      expect(got.filter((m) => /^MARKER_T\d+$/.test(m))).toStrictEqual([`MARKER_T${i}`]);
      expect(got.includes("MARKER_SHARED")).toBe(i < 2);
      expect(got).toContain("MARKER_SIDE_EFFECT");
    });
  }, 300_000);
});
