/** Generated flow modules of many tasks, as a user would write them, for the deploy benches. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes a module of `n` tasks chained into one flow `big<n>` (exported as `big`) under `dir`. */
export function generateFlow(dir: string, n: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `flow-${n}.ts`);
  const tasks = Array.from(
    { length: n },
    (_, i) => `export const t${i} = task("t${i}", (x: number) => x + ${i});`,
  );
  const chain = Array.from({ length: n }, (_, i) => `  v = t${i}(v);`).join("\n");
  writeFileSync(
    file,
    `import { flow, task, type Ref } from "stepflow";\nimport { z } from "zod";\n${tasks.join("\n")}\nexport const big = flow("big${n}", { params: z.object({ x: z.number().default(1) }) }, ({ x }) => {\n  let v: Ref<number> | number = x;\n${chain}\n  return v as Ref<number>;\n});\n`,
  );
  return file;
}
