import { randomBytes } from "node:crypto";

/** Step Functions' limit on execution names. */
const MAX_NAME = 80;
/** `-yyyymmddThhmmssZ-abc123` */
const SUFFIX = 24;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A readable, unique execution name: `<flow>-<yyyymmddThhmmssZ>-<6 random>` in UTC, the flow name
 * shortened so the whole stays within 80 characters of letters, digits, `-` and `_` (the
 * characters CloudWatch Logs accepts too).
 * @example executionName("crypto-dip", new Date("2025-05-01T12:00:00Z")) // "crypto-dip-20250501T120000Z-k3x9qa"
 */
export function executionName(flow: string, now = new Date()): string {
  const stamp = `${now.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
  const bytes = randomBytes(6);
  const random = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  const prefix = flow.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, MAX_NAME - SUFFIX);
  return `${prefix}-${stamp}-${random}`;
}

/** The flow-name part of a run id made by `executionName`, or `undefined` (also when it may be shortened). */
export function flowOfRunId(runId: string): string | undefined {
  const prefix = /^(.+)-\d{8}T\d{6}Z-[a-z0-9]{6}$/.exec(runId)?.[1];
  return prefix && prefix.length < MAX_NAME - SUFFIX ? prefix : undefined;
}

/** Whether `name` is a valid execution name. */
export function isValidExecutionName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,80}$/.test(name);
}
