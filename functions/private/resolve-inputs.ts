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
  const lengths = request.lengths;
  if (lengths && lengths.some((l) => l !== lengths[0])) {
    throw new PayloadError(
      `state \`${request.state}\` maps over lists of different lengths (${lengths.join(", ")}); mapped lists run in lockstep, so give them the same length or wrap the ones to pass whole in \`unmapped(...)\``,
    );
  }
}

/**
 * Resolves every argument; `onSecret` sees each secret value read, so the caller can redact it.
 * Secrets (nested ones included) are read first so that their values are known before anything
 * can fail and log.
 */
export function resolveArgs(
  request: TaskRequest,
  stores: InputStores,
  onSecret: (value: string, name: string) => void,
): Json[] | Promise<Json[]> {
  // Most arguments travel inline: taken as they are, without a promise per argument.
  const values: Json[] = new Array<Json>(request.args.length);
  for (let i = 0; i < request.args.length; i++) {
    const value = inlineValue(request.args[i]);
    if (value === NOT_INLINE) return resolveAll(request, stores, onSecret);
    values[i] = value as Json;
  }
  return values;
}

const NOT_INLINE = Symbol("not inline");

/** The value of an argument that needs no store and no secret (`{ v }`, an inline envelope, no value), else `NOT_INLINE`. */
function inlineValue(arg: ArgInput): Json | undefined | typeof NOT_INLINE {
  if ("v" in arg) return arg.v;
  if (!("env" in arg)) return NOT_INLINE;
  const env = arg.env as Partial<Record<"v" | "Error", Json>>;
  if ("v" in env && !("Error" in env)) return env.v as Json;
  // `{}`: the value of a `when` that gave none (see `resolveArg`).
  for (const _ in env) return NOT_INLINE;
  return undefined;
}

async function resolveAll(
  request: TaskRequest,
  stores: InputStores,
  onSecret: (value: string, name: string) => void,
): Promise<Json[]> {
  const names = new Set<string>();
  for (const arg of request.args) collectSecrets(arg, names);
  const secrets = new Map<string, string>();
  await Promise.all(
    [...names].map(async (name) => {
      const value = await stores.secrets.get(name);
      onSecret(value, name);
      secrets.set(name, value);
    }),
  );
  return Promise.all(request.args.map((arg) => resolveArg(request, stores, arg, secrets)));
}

function collectSecrets(arg: ArgInput, names: Set<string>): void {
  if ("secret" in arg) names.add(arg.secret);
  else if ("obj" in arg) for (const field of Object.values(arg.obj)) collectSecrets(field, names);
  else if ("arr" in arg) for (const item of arg.arr) collectSecrets(item, names);
}

/**
 * One argument's value; an object or array written in the flow body is resolved field by field.
 * The value of a `when` that gave none is `undefined`, passed to the function as it is (its
 * parameter is typed `T | undefined`); the handler's JSON-typed plumbing (cache keys) hashes it as
 * `null`, as JSON does.
 */
async function resolveArg(
  request: TaskRequest,
  stores: InputStores,
  arg: ArgInput,
  secrets: ReadonlyMap<string, string>,
): Promise<Json> {
  if ("secret" in arg) return secrets.get(arg.secret) as string;
  if ("arr" in arg) return Promise.all(arg.arr.map((a) => resolveArg(request, stores, a, secrets)));
  if ("obj" in arg) {
    const entries = await Promise.all(
      Object.entries(arg.obj).map(async ([k, a]) => [k, await resolveArg(request, stores, a, secrets)] as const),
    );
    return Object.fromEntries(entries);
  }
  return (await resolveOutput(stores.results, "list" in arg ? sharedColumn(request, arg) : arg)) as Json;
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
