/** Replaces secret values by this in error messages, log lines and history. */
export const REDACTED = "***";

/**
 * Secret values shorter than this are not redacted: replacing every "a" or "1" would make
 * every message unreadable, and values that short are not secrets worth the name.
 */
const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of each secret value (raw or JSON-escaped) in `text`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const value of secrets) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/** True when `text` contains one of the secret values. */
export function containsSecret(text: string, secrets: Iterable<string>): boolean {
  return redact(text, secrets) !== text;
}
