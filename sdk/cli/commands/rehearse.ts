import type { Command } from "commander";
import type { AnyFlow } from "../../define/flow.ts";
import { StepflowError } from "../../core/errors.ts";
import { CliError, EXIT_FAILED, EXIT_USAGE } from "../private/cli-error.ts";
import { formatMs } from "../private/format.ts";
import { taskRunsView } from "../private/task-runs-view.ts";
import type { CliIo } from "../private/io.ts";
import { loadFlows, pickFlow } from "../private/load-flows.ts";
import { buildParams, collect } from "../private/params.ts";

interface RehearseOptions {
  readonly flow?: string;
  readonly param: string[];
  readonly paramsJson?: string;
  readonly dir?: string;
  readonly logs?: boolean;
}

/** Names of the errors that mean "AWS would not deploy or run this": exit 1, like a failed run. */
const REHEARSAL_FINDINGS = new Set(["RehearsalDeployError", "AccessDenied"]);

/**
 * `stepflow rehearse <file>`: deploys the flow's stack into an emulated AWS account on this
 * machine (moto) and runs the flow there; exits 0/1/2 like `run`.
 */
export function rehearseCommand(program: Command, io: CliIo): void {
  program
    .command("rehearse")
    .description("deploy the flow's stack into an emulated AWS account on this machine (moto) and run it there")
    .argument("<file>", "module that exports the flow, e.g. flows/crypto-dip.ts")
    .option("--flow <name>", "the flow to rehearse when the file exports several (flow or export name)")
    .option("--param <name=value>", "a parameter (repeatable); numbers, booleans and JSON are parsed", collect, [])
    .option("--params-json <json>", "parameters as a JSON object (--param wins)")
    .option("--dir <dir>", "project folder whose secrets.json holds secret values", ".stepflow")
    .option("--logs", "print the deployed functions' log lines on stderr")
    .action(async (file: string, o: RehearseOptions) => {
      const flow = pickFlow(file, await loadFlows(file), o.flow);
      // ParamsError (exit 2) before anything is deployed; the client does not validate the parsed value again.
      const params = flow.parse(buildParams(flow, o.param, o.paramsJson));
      await rehearse(flow, params, o, io);
    });
}

/** The IAM evaluator the rehearsal checks requests with; AGPL-3.0, so stepflow does not ship it. */
const IAM_EVALUATOR = "@cloud-copilot/iam-simulate";

/** What `stepflow rehearse` loads that installing stepflow does not bring, why, and the install. */
const NOT_SHIPPED: ReadonlyArray<{ readonly name: string; readonly why: string; readonly install: string }> = [
  {
    name: IAM_EVALUATOR,
    why: "checks every AWS request against IAM with it (it is AGPL-3.0, so stepflow lists it as a dev dependency only)",
    install: IAM_EVALUATOR,
  },
  ...["aws-cdk-lib", "constructs"].map((name) => ({
    name,
    why: "synthesizes the flow's stack with it (an optional peer dependency of stepflow, as for any CDK construct library)",
    install: "aws-cdk-lib constructs",
  })),
];

/**
 * The usage error for a rehearsal that could not load because one of `NOT_SHIPPED` is missing
 * (the name as Node quotes it in ERR_MODULE_NOT_FOUND), naming it and the install; else undefined.
 */
export function missingForRehearsal(error: unknown): CliError | undefined {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== "ERR_MODULE_NOT_FOUND") return undefined;
  const message = String((error as Error).message);
  const missing = NOT_SHIPPED.find(({ name }) => message.includes(`'${name}'`) || message.includes(`'${name}/`));
  if (!missing) return undefined;
  return new CliError(
    `\`stepflow rehearse\` ${missing.why}, but \`${missing.name}\` is not installed; install it with \`npm i -D ${missing.install}\``,
    EXIT_USAGE,
    { cause: error },
  );
}

async function loadRehearsal(): Promise<typeof import("stepflow/rehearse")> {
  try {
    return await import("stepflow/rehearse");
  } catch (error) {
    throw missingForRehearsal(error) ?? error;
  }
}

async function rehearse(flow: AnyFlow, params: Record<string, unknown>, o: RehearseOptions, io: CliIo) {
  // Loaded on use: aws-cdk-lib and the AWS SDK would slow down every other command.
  const { Rehearsal } = await loadRehearsal();
  const { localSecretStore } = await import("../../../functions/stores/local-secret-store.ts");
  const secrets = localSecretStore({ dir: o.dir });
  const started = Date.now();
  io.stderr.write(`rehearsing ${flow.flowName}: synthesizing and deploying its stack into moto...\n`);
  const rehearsal = await Rehearsal.start({
    flows: [flow],
    secrets: (name) => secrets.get(name).catch(() => undefined),
    onLog: o.logs ? (fn, line) => io.stderr.write(`  [${fn}] ${line}\n`) : undefined,
  }).catch((error: unknown) => {
    if (error instanceof StepflowError && REHEARSAL_FINDINGS.has(error.name)) throw new CliError(error.message, EXIT_FAILED);
    throw error;
  });
  try {
    io.stderr.write(`deployed in ${formatMs(Date.now() - started)}; running ${flow.flowName}...\n`);
    const run = await rehearsal.run(flow, params);
    const verdict = `${run.flow} ${run.status} in ${formatMs(run.durationMs)}  (rehearsed run ${run.runId})`;
    io.stderr.write(`${run.status === "SUCCEEDED" ? "✔" : "✗"} ${verdict}\n`);
    if (run.error) io.stderr.write(`  ${run.error.name}: ${run.error.message}\n`);
    io.stderr.write(taskRunsView(run.tasks));
    for (const problem of run.problems) io.stderr.write(`✗ ${problem}\n`);
    if (run.status === "SUCCEEDED") io.stdout.write(`${JSON.stringify(run.result ?? null, null, 2)}\n`);
    if (run.status !== "SUCCEEDED" || run.problems.length > 0) throw new CliError("", EXIT_FAILED);
  } finally {
    await rehearsal.stop();
  }
}
