import { conditionFailed, historyTable, type HistoryTableOptions } from "../private/history-table.ts";
import { cacheLeasePk } from "../../sdk/core/deploy-names.ts";
import type { CacheLeaseStore, LeaseState } from "./types.ts";

/** Options of the DynamoDB cache leases: the history table's. */
export type AwsCacheLeaseOptions = HistoryTableOptions;

const LEASE_SK = "#LEASE";
const NAMES = ["held", "token", "beat"] as const;

/**
 * Cache leases as items of the history table (`CACHE#<key>` / `#LEASE`, type `cache-lease`,
 * expiring by TTL like every record). Every change is a conditional Put, which DynamoDB (and
 * dynalite, which the tests run against) enforce; a release marks the item free rather than
 * deleting it, so a task role needs only `dynamodb:PutItem` and, to read a lease, `GetItem`.
 * (S3's `If-None-Match: *` on PutObject would do for `create`, but s3rver ignores it on PUT, so
 * the emulated tests could not prove it, and S3 has no cheap compare-and-swap for renewals.)
 */
export function awsCacheLease(options: AwsCacheLeaseOptions): CacheLeaseStore {
  const { table } = options;
  const { ddb, call, expiresAt } = historyTable(options);
  const key = (k: string) => ({ pk: cacheLeasePk(k), sk: LEASE_SK });
  const item = (k: string, held: boolean, state: LeaseState) => ({
    ...key(k),
    type: "cache-lease",
    held,
    token: state.token,
    beat: state.beat,
    expiresAt: expiresAt(),
  });
  /** A conditional Put: `false` when its condition did not hold. */
  const put = async (Item: Record<string, unknown>, ConditionExpression: string, values: Record<string, unknown>) => {
    const { lib, client } = await ddb();
    const command = new lib.PutCommand({
      TableName: table,
      Item,
      ConditionExpression,
      // DynamoDB refuses names an expression does not use.
      ExpressionAttributeNames: Object.fromEntries(NAMES.filter((n) => ConditionExpression.includes(`#${n}`)).map((n) => [`#${n}`, n])),
      ExpressionAttributeValues: values,
    });
    try {
      await call("PutItem", (abortSignal) => client.send(command, { abortSignal }));
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  };
  return {
    create: (k, token) =>
      put(item(k, true, { token, beat: 0 }), "attribute_not_exists(pk) OR #held = :free", { ":free": false }),
    async read(k) {
      const { lib, client } = await ddb();
      const get = new lib.GetCommand({ TableName: table, Key: key(k), ConsistentRead: true });
      const out = await call("GetItem", (abortSignal) => client.send(get, { abortSignal }));
      const found = out.Item as { held?: boolean; token?: string; beat?: number } | undefined;
      if (!found?.held || typeof found.token !== "string") return undefined;
      return { token: found.token, beat: Number(found.beat ?? 0) };
    },
    replace: (k, seen, next) =>
      put(item(k, true, next), "#held = :held AND #token = :token AND #beat = :beat", {
        ":held": true,
        ":token": seen.token,
        ":beat": seen.beat,
      }),
    async release(k, token) {
      await put(item(k, false, { token, beat: -1 }), "#held = :held AND #token = :token", { ":held": true, ":token": token });
    },
  };
}
