/** Resolving a request's arguments into the values the task function receives. */
import type { ArgInput, Envelope, TaskRequest } from "../../sdk/core/protocol.ts";
import { PayloadError } from "../errors.ts";
import { resolveOutput } from "../resolve-output.ts";
import type { ResultStore, SecretStore } from "../stores/types.ts";
import type { Json } from "../../sdk/core/json.ts";

interface InputStores {
  readonly results: ResultStore;
  readonly secrets: SecretStore;
}

/**
 * Fails when the lists a Map iterates in lockstep have different lengths (checked here because
 * the lengths are only known at run time).
 */
export function checkLengths(request: TaskRequest): void {
  const lengths = request.lengths ?? [];
  if (new Set(lengths).size > 1) {
    throw new PayloadError(
      `state \`${request.state}\` maps over lists of different lengths (${lengths.join(", ")}); mapped lists run in lockstep, so give them the same length or wrap the ones to pass whole in \`unmapped(...)\``,
    );
  }
}

/**
 * Resolves every argument; `onSecret` sees each secret value read, so the caller can redact it.
 * Secrets are read first so that their values are known before anything can fail and log.
 */
export async function resolveArgs(
  request: TaskRequest,
  stores: InputStores,
  onSecret: (value: string, name: string) => void,
): Promise<Json[]> {
  const secrets = await Promise.all(
    request.args.map(async (arg) => {
      if (!("secret" in arg)) return undefined;
      const value = await stores.secrets.get(arg.secret);
      onSecret(value, arg.secret);
      return value;
    }),
  );
  return Promise.all(
    request.args.map((arg: ArgInput, i) => {
      if ("secret" in arg) return secrets[i] as string;
      return resolveOutput(stores.results, "list" in arg ? sharedColumn(request, arg) : arg);
    }),
  );
}

/** A `{ list, col }` argument as the rows or manifest column it names in `request.lists`. */
function sharedColumn(request: TaskRequest, arg: { readonly list: string; readonly col: string }) {
  const list = request.lists?.[arg.list];
  if (list === undefined) {
    throw new PayloadError(
      `state \`${request.state}\` reads list \`${arg.list}\`, which its request does not carry; this is a compiler bug, please report it`,
    );
  }
  return Array.isArray(list)
    ? { rows: list as readonly Readonly<Record<string, Envelope>>[], col: arg.col }
    : { manifest: (list as { manifest: { Bucket: string; Key: string } }).manifest, col: arg.col };
}
