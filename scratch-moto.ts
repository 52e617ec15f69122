import { runLocal } from "./sdk/local/index.ts";
import { compile } from "./sdk/index.ts";
import { Rehearsal } from "./infra/rehearse/index.ts";
import { whenFirst, whenSlots } from "./test/rehearse/fixtures/when-values.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const t0 = Date.now();
console.log(JSON.stringify(compile(whenSlots).definition.States, null, 0).match(/"Type":"\w+"/g));
const r = await Rehearsal.start({ flows: [whenSlots, whenFirst] });
console.log("deployed in", Date.now() - t0, "ms");
const dir = mkdtempSync(join(tmpdir(), "parity-"));
try {
  for (const [f, p] of [[whenSlots, { n: 20 }], [whenSlots, { n: 21 }], [whenSlots, { n: 4 }], [whenSlots, { n: 3 }], [whenFirst, { n: 3, flag: true }], [whenFirst, { n: 3, flag: false }]] as const) {
    const run = await r.run(f as never, p);
    const local = await runLocal(f as never, p, { dir });
    console.log(f.flowName, JSON.stringify(p), "moto:", run.status, JSON.stringify(run.result), run.error?.message ?? "", run.problems, "| local:", local.status, JSON.stringify((local as { result?: unknown }).result));
  }
} finally {
  await r.stop();
}
