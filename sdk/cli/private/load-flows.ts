import { readFileSync } from "node:fs";
import { access } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { AnyFlow } from "../../define/flow.ts";
import { CliError } from "./cli-error.ts";

/** A flow exported by a module, with its export name. */
export interface ExportedFlow {
  readonly exportName: string;
  readonly flow: AnyFlow;
}

/**
 * Flow modules compiled into the CLI's cached bundle (bin/stepflow.js), by absolute path: they
 * load from there, without a TypeScript loader, sharing the bundle's copy of stepflow.
 */
const PRELOADED = () =>
  (globalThis as { [key: symbol]: Record<string, () => Promise<unknown>> | undefined })[
    Symbol.for("stepflow.preloaded")
  ];

/**
 * Whether `file` can be loaded by this process: always from source; in the compiled CLI only
 * when it was named on the command line, so the bundle holds it beside its one copy of stepflow.
 */
export function loadable(file: string): boolean {
  const preloaded = PRELOADED();
  return preloaded === undefined || resolve(file) in preloaded;
}

function isFlow(value: unknown): value is AnyFlow {
  if (typeof value !== "function") return false;
  const v = value as unknown as Record<string, unknown>;
  return typeof v.flowName === "string" && typeof v.graph === "function" && typeof v.parse === "function";
}

/**
 * Imports `file` (TypeScript loads through tsx) and returns the flows it exports.
 * @throws CliError (exit 2) when the file is missing, fails to load or exports no flow.
 */
export async function loadFlows(file: string): Promise<ExportedFlow[]> {
  const path = resolve(file);
  try {
    await access(path);
  } catch {
    throw new CliError(
      `file \`${file}\` does not exist; pass the path of a module that exports a flow, e.g. \`flows/crypto-dip.ts\``,
    );
  }
  let mod: Record<string, unknown>;
  try {
    const preloaded = PRELOADED()?.[path];
    mod = (await (preloaded ? preloaded() : import(pathToFileURL(path).href))) as Record<string, unknown>;
  } catch (cause) {
    const outside = outsidePackage(file, path);
    if (outside) throw new CliError(outside, undefined, { cause });
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new CliError(
      `could not load \`${file}\`:\n${why}\nfix the module so it imports cleanly`,
      undefined,
      { cause },
    );
  }
  const flows: ExportedFlow[] = [];
  const seen = new Set<AnyFlow>();
  for (const [exportName, value] of Object.entries(mod)) {
    if (isFlow(value) && !seen.has(value)) {
      seen.add(value);
      flows.push({ exportName, flow: value });
    }
  }
  if (flows.length === 0) {
    throw new CliError(
      `\`${file}\` exports no flow; export one, e.g. \`export const etl = flow("etl", ...)\``,
    );
  }
  return flows;
}

/**
 * The flow `name` (flow name or export name) of `flows`, or the only one when `name` is not given.
 * @throws CliError (exit 2) naming the flows the file has.
 */
export function pickFlow(file: string, flows: readonly ExportedFlow[], name: string | undefined): AnyFlow {
  const list = flows.map((f) => `\`${f.flow.flowName}\``).join(", ");
  if (name === undefined) {
    if (flows.length === 1) return flows[0].flow;
    throw new CliError(
      `\`${file}\` exports ${flows.length} flows (${list}); choose one with \`--flow <name>\``,
    );
  }
  const found = flows.filter((f) => f.flow.flowName === name || f.exportName === name);
  if (found.length === 0) throw new CliError(`\`${file}\` has no flow \`${name}\`; its flows are ${list}`);
  if (found.length > 1) {
    // Deployed, both would be the state machine `stepflow-<name>`: synth rejects it too.
    const exports = found.map((f) => `\`${f.exportName}\``).join(" and ");
    throw new CliError(
      `\`${file}\` has ${found.length} flows named \`${name}\` (exports ${exports}); give each flow its own name`,
    );
  }
  return found[0].flow;
}

/** `flows` narrowed by `--flow`, all of them when it is not given. */
export function selectFlows(
  file: string,
  flows: readonly ExportedFlow[],
  name: string | undefined,
): AnyFlow[] {
  return name === undefined ? flows.map((f) => f.flow) : [pickFlow(file, flows, name)];
}

/**
 * Why `file` cannot import `stepflow`, when that is why it failed to load: it lies outside any
 * package that has stepflow installed (tsx then reports a confusing module cycle).
 */
function outsidePackage(file: string, path: string): string | undefined {
  if (!/["']stepflow["'/]/.test(readFileSync(path, "utf8"))) return undefined;
  try {
    createRequire(path).resolve("stepflow");
    return undefined;
  } catch {
    return `\`${file}\` cannot import \`stepflow\`: no package above \`${dirname(path)}\` has it installed; move the file into your project (next to its package.json, after \`npm install stepflow\`) or run \`npm install stepflow\` in its folder`;
  }
}
