/**
 * Run ids: the one generator of execution names for local runs and runs started on AWS, and
 * the one check of a run id wherever one is accepted (options, CLI arguments, history lookups).
 * Run ids double as file names in the local history, so the check is stricter than a plain
 * string test: `.`, `..` and path separators never pass.
 */
import { randomBytes } from "node:crypto";
import { UsageError } from "./errors.ts";

/** Step Functions' limit on execution names. */
export const MAX_RUN_ID = 80;
/** Characters of the random suffix: 36^12 (62 bits), so 100,000 ids in one second collide with odds ~1e-9. */
const RANDOM_CHARS = 12;
/** `-yyyymmddThhmmssZ-` plus the random suffix. */
const SUFFIX = 18 + RANDOM_CHARS;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
// Control characters are built from their code points: a literal range trips `no-control-regex`.
/** Characters Step Functions refuses in an execution name (whitespace, brackets, wildcards, specials, controls). */
const FORBIDDEN = new RegExp(
  `[\\s<>{}[\\]?*"#%\\\\^|~\`$&,;:/${String.fromCharCode(0)}-${String.fromCharCode(0x1f)}${String.fromCharCode(0x7f)}-${String.fromCharCode(0x9f)}]`,
);

/**
 * A readable run id that cannot collide: `<flow>-<yyyymmddThhmmssZ>-<12 random base-36>` in
 * UTC, the flow name shortened (and characters other than letters, digits, `-`, `_` replaced
 * by `-`) so the whole stays within Step Functions' 80 characters.
 * @example newRunId("crypto-dip", new Date("2025-05-01T12:00:00Z")) // "crypto-dip-20250501T120000Z-k3x9qa0b7mzd"
 */
export function newRunId(flow: string, now = new Date()): string {
  const stamp = `${now.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
  const prefix = flow.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, MAX_RUN_ID - SUFFIX);
  return `${prefix}-${stamp}-${randomSuffix()}`;
}

/** Random bytes drawn 4 KB at a time: one `randomBytes` call per id costs more than the id. */
let pool = Buffer.alloc(0);
let next = 0;

/** Uniform base-36 characters: bytes of 252 and over are drawn again, so no character is likelier. */
function randomSuffix(): string {
  let out = "";
  while (out.length < RANDOM_CHARS) {
    if (next >= pool.length) {
      pool = randomBytes(4096);
      next = 0;
    }
    const b = pool[next++];
    if (b < 252) out += ALPHABET[b % 36];
  }
  return out;
}

/**
 * The flow-name part of a run id made by `newRunId` (or by earlier versions, with a 6-character
 * suffix), or `undefined` when it is not one or its flow name may have been shortened.
 */
export function flowOfRunId(runId: string): string | undefined {
  const m = /^(.+)-\d{8}T\d{6}Z-([a-z0-9]{6}|[a-z0-9]{12})$/.exec(runId);
  if (!m) return undefined;
  const [, prefix, random] = m;
  return prefix.length < MAX_RUN_ID - 18 - random.length ? prefix : undefined;
}

/** Why `runId` is not a valid run id, or `undefined` when it is. */
export function runIdProblem(runId: string): string | undefined {
  if (runId.length === 0 || runId.length > MAX_RUN_ID) return `it has ${runId.length} characters, not 1-${MAX_RUN_ID}`;
  if (runId === "." || runId === "..") return "`.` and `..` name folders, not runs";
  const bad = FORBIDDEN.exec(runId)?.[0];
  if (bad !== undefined) return `it contains ${JSON.stringify(bad)}, which Step Functions refuses in an execution name`;
  return undefined;
}

/**
 * Throws `UsageError` when `runId` is not a valid run id (1-80 characters, none that Step
 * Functions refuses in an execution name — whitespace, `/`, `:` and the like — and not `.` or `..`).
 * @param where what supplied the id, for the message, e.g. "`runLocal` option `runId`"
 */
export function assertRunId(runId: string, where: string): void {
  const problem = runIdProblem(runId);
  if (problem) {
    throw new UsageError(
      `run id \`${runId}\` given as ${where} is not valid: ${problem}; use 1-${MAX_RUN_ID} letters, digits, \`-\` or \`_\` (as \`stepflow runs\` lists them)`,
    );
  }
}
