/**
 * The names stepflow gives deployed things, in one place for infra (which creates them), the
 * client (which finds them) and the runtime (which reads secrets): state machines
 * `stepflow-<flow>` and secrets `stepflow/<name>`, or with a `stage`, `<stage>-stepflow-<flow>`
 * and `<stage>-stepflow/<name>`, so two stages share an account without colliding. A stage is
 * letters and digits only: every name of a stage then starts with a prefix no other stage's (nor
 * the default's) names start with, so an EventBridge prefix match selects exactly one stage.
 */
import { StepflowError } from "./errors.ts";

/** Longest state machine name Step Functions accepts. */
const MAX_MACHINE_NAME = 80;

/** What a stage is: 1-20 letters or digits (and never `stepflow`, checked apart). */
const STAGE = "[A-Za-z0-9]{1,20}";

/** What every deployed name of a stage starts with: `stepflow` or `<stage>-stepflow`. */
export function namePrefix(stage?: string): string {
  if (stage === undefined) return "stepflow";
  if (!new RegExp(`^${STAGE}$`).test(stage) || stage.toLowerCase() === "stepflow") {
    throw new StepflowError(
      `stage \`${stage}\` is not allowed; use 1-20 letters or digits (not \`stepflow\`), e.g. \`dev\` or \`prod\`: it prefixes every state machine and secret name`,
    );
  }
  return `${stage}-stepflow`;
}

/** The state machine name of a flow: `stepflow-<flow>`, or `<stage>-stepflow-<flow>`. */
export function stateMachineName(flow: string, stage?: string): string {
  const name = `${namePrefix(stage)}-${flow}`;
  if (name.length > MAX_MACHINE_NAME) {
    throw new StepflowError(
      `state machine name \`${name}\` is ${name.length} characters, over Step Functions' ${MAX_MACHINE_NAME}; shorten flow \`${flow}\` or the stage`,
    );
  }
  return name;
}

/**
 * The flow of a state machine name stepflow gave (`stateMachineName`'s inverse): `stepflow-<flow>`
 * or `<stage>-stepflow-<flow>`; `undefined` for any other name. Unambiguous: a stage is letters and
 * digits only and never `stepflow`, so only the default stage's names start with `stepflow-`.
 */
export function flowOfMachineName(name: string): string | undefined {
  const plain = `${namePrefix()}-`;
  if (name.startsWith(plain)) return name.slice(plain.length) || undefined;
  const staged = new RegExp(`^(${STAGE})-${namePrefix()}-(.+)$`).exec(name);
  return staged && staged[1].toLowerCase() !== "stepflow" ? staged[2] : undefined;
}

/** The prefix of a stage's secret names in Secrets Manager: `stepflow/` or `<stage>-stepflow/`. */
export function secretPrefix(stage?: string): string {
  return `${namePrefix(stage)}/`;
}

/** Placeholder of the results bucket name in definitions (a CDK DefinitionSubstitution key). */
export const RESULTS_BUCKET_PLACEHOLDER = "ResultsBucket";

/** Days a history item lives before DynamoDB TTL removes it, when `historyTtlDays` is not given. */
export const DEFAULT_HISTORY_TTL_DAYS = 90;

/** Secrets Manager's longest secret name, prefix included. */
export const MAX_SECRET_NAME = 512;

/**
 * Why `name` cannot name a secret, or `undefined` when it can: Secrets Manager's characters, and
 * at most 512 characters once stored as `<prefix><name>` (by default `stepflow/<name>`).
 */
export function secretNameProblem(name: string, prefix = secretPrefix()): string | undefined {
  const most = MAX_SECRET_NAME - prefix.length;
  if (/^[A-Za-z0-9/_+=.@-]+$/.test(name) && name.length <= most) return undefined;
  return `use 1-${most} letters, digits or \`/_+=.@-\` (it is stored in Secrets Manager as \`${prefix}<name>\`, at most ${MAX_SECRET_NAME} characters)`;
}

/**
 * The history-table partition key of a cache key's lease (`CACHE#<flow>/<task>/<hash>`): the
 * runtime writes it, and a cached task's role may read only items whose key starts with its own
 * `CACHE#<flow>/<task>/` (`dynamodb:LeadingKeys`).
 */
export const cacheLeasePk = (key: string): string => `CACHE#${key}`;
