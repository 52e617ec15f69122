/** What a task-run record keeps of a task's result envelope. */
import type { Json } from "../../sdk/core/json.ts";
import type { Envelope } from "../../sdk/core/protocol.ts";
import { preview } from "./json.ts";

/** Inline values in history records are kept up to this size; larger ones become a size note. */
const HISTORY_PREVIEW_BYTES = 256;

/**
 * The envelope as history keeps it: references as they are, large inline values summarised.
 * `bytes`: the size of an inline value's JSON, when the caller has it.
 */
export function resultRef(envelope: Envelope, bytes?: number): Json {
  if ("items" in envelope) {
    return { items: envelope.items.length, stored: envelope.items.filter((e) => "s3" in e).length };
  }
  if ("v" in envelope) return { v: preview(envelope.v, HISTORY_PREVIEW_BYTES, bytes) };
  return { s3: envelope.s3, bytes: envelope.bytes };
}
