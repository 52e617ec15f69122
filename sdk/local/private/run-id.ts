import { randomBytes } from "node:crypto";

/** Step Functions' limit on execution names. */
const MAX_NAME = 80;
/** `-yyyymmddThhmmss-abcd` */
const SUFFIX = 21;

/**
 * A readable, unique execution name: `<flow>-<yyyymmddThhmmss>-<4 hex>` in UTC, the flow name
 * shortened so the whole stays within Step Functions' 80 characters.
 * @example runIdFor("crypto-dip", new Date("2025-05-01T12:00:00Z")) // "crypto-dip-20250501T120000-3f9a"
 */
export function runIdFor(flow: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").slice(0, 15);
  return `${flow.slice(0, MAX_NAME - SUFFIX)}-${stamp}-${randomBytes(2).toString("hex")}`;
}
