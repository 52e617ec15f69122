/**
 * Secret redaction: every form a secret value takes in text — as it is, JSON-escaped, line by
 * line (util.inspect prints a multi-line string as one quoted piece per line), URL-encoded,
 * base64 and base64url at any byte alignment, and a URL secret's host and path (which DNS and
 * HTTP errors quote) — is replaced by `***` in log lines, errors and history.
 */

/** Replaces secret values by this in error messages, log lines and history. */
export const REDACTED = "***";

/**
 * Secret values shorter than this are refused when set or read: masking every occurrence of a
 * string that short would garble ordinary text, and not masking it would leak it.
 */
export const MIN_SECRET_LENGTH = 6;
/** Encoded fragments shorter than this are not masked (too likely to occur by chance). */
const MIN_FORM_LENGTH = 6;

/** Why `value` cannot be used as a secret, or `undefined`. An empty value (a secret not set locally) is allowed. */
export function secretValueProblem(value: string): string | undefined {
  if (value.length === 0 || value.length >= MIN_SECRET_LENGTH) return undefined;
  return `it is ${value.length} character${value.length === 1 ? "" : "s"} long, and values under ${MIN_SECRET_LENGTH} characters cannot be kept out of logs safely (masking every occurrence of so short a string would garble ordinary text)`;
}

const formsCache = new Map<string, readonly string[]>();

/** Every form of `value` to mask, longest first (so a longer form is masked before a part of it). */
export function secretForms(value: string): readonly string[] {
  let forms = formsCache.get(value);
  if (!forms) {
    const all = new Set<string>([value, JSON.stringify(value).slice(1, -1)]);
    for (const line of value.split(/\r?\n/)) all.add(line.trim());
    all.add(encodeURIComponent(value));
    all.add(encodeURI(value));
    all.add(new URLSearchParams({ v: value }).toString().slice(2));
    for (const form of base64Forms(value)) all.add(form);
    for (const form of urlParts(value)) all.add(form);
    forms = [...all].filter((f) => f.length >= MIN_FORM_LENGTH).sort((a, b) => b.length - a.length);
    if (formsCache.size > 1000) formsCache.clear();
    formsCache.set(value, forms);
  }
  return forms;
}

/**
 * The base64 and base64url text of `value`'s bytes at each of the 3 byte alignments it can have
 * inside a longer encoded string, cut to the characters that depend on its bytes alone.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const padded = Buffer.concat([Buffer.alloc(k), bytes]);
    const from = Math.ceil(k / 3) * 4;
    const to = Math.floor((k + bytes.length) / 3) * 4;
    for (const encoding of ["base64", "base64url"] as const) out.push(padded.toString(encoding).slice(from, to));
  }
  return out;
}

/** A URL secret's host and its path (with query), which errors quote without the rest. */
function urlParts(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [];
  try {
    const url = new URL(value);
    const path = `${url.pathname}${url.search}`;
    return [url.host, `${url.host}${path}`, ...(path.length > 1 ? [path] : [])];
  } catch {
    return [];
  }
}

/** Replaces every form of each secret value in `text`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const value of secrets) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    for (const form of secretForms(value)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** True when `text` contains one of the secret values, in any form. */
export function containsSecret(text: string, secrets: Iterable<string>): boolean {
  return redact(text, secrets) !== text;
}
