import { randomUUID } from "node:crypto";
import { noticeSk, runPk } from "../private/history-keys.ts";
import { conditionFailed, historyTable, type HistoryTableOptions } from "../private/history-table.ts";
import type { NoticeKey, NoticeLedger } from "./types.ts";

/** Options of the DynamoDB notice ledger: the history table's. */
export type AwsNoticeLedgerOptions = HistoryTableOptions;

/**
 * The notice ledger as items in the run's partition of the history table
 * (`NOTICE#<status>#<round>#<target>`, type `notice`, expiring with the run's records): a claim
 * is a conditional Put that succeeds only on no item or an expired claim; `sent` makes it final;
 * `release` deletes the claim, if it is still this ledger's own.
 */
export function awsNoticeLedger(options: AwsNoticeLedgerOptions): NoticeLedger {
  const { table } = options;
  const { ddb, call, expiresAt, clock } = historyTable(options);
  /** The token of each claim this ledger holds, by sort key: `release` deletes only its own claim. */
  const tokens = new Map<string, string>();
  const keyOf = (k: NoticeKey) => ({ pk: runPk(k.runId), sk: noticeSk(k) });
  const item = (k: NoticeKey, state: "SENDING" | "SENT", leaseUntil: number, token: string) => ({
    ...keyOf(k),
    type: "notice",
    state,
    leaseUntil,
    token,
    expiresAt: expiresAt(),
  });
  return {
    async claim(k, leaseMs) {
      const { lib, client } = await ddb();
      const now = clock();
      const token = randomUUID();
      const put = new lib.PutCommand({
        TableName: table,
        Item: item(k, "SENDING", now + leaseMs, token),
        ConditionExpression: "attribute_not_exists(pk) OR (#state = :sending AND #lease < :now)",
        ExpressionAttributeNames: { "#state": "state", "#lease": "leaseUntil" },
        ExpressionAttributeValues: { ":sending": "SENDING", ":now": now },
      });
      try {
        await call("PutItem", (abortSignal) => client.send(put, { abortSignal }));
        tokens.set(noticeSk(k), token);
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },
    async sent(k) {
      const { lib, client } = await ddb();
      const put = new lib.PutCommand({ TableName: table, Item: item(k, "SENT", 0, tokens.get(noticeSk(k)) ?? "") });
      await call("PutItem", (abortSignal) => client.send(put, { abortSignal }));
      tokens.delete(noticeSk(k));
    },
    async release(k) {
      const token = tokens.get(noticeSk(k));
      tokens.delete(noticeSk(k));
      if (token === undefined) return;
      const { lib, client } = await ddb();
      const del = new lib.DeleteCommand({
        TableName: table,
        Key: keyOf(k),
        ConditionExpression: "#state = :sending AND #token = :token",
        ExpressionAttributeNames: { "#state": "state", "#token": "token" },
        ExpressionAttributeValues: { ":sending": "SENDING", ":token": token },
      });
      try {
        await call("DeleteItem", (abortSignal) => client.send(del, { abortSignal }));
      } catch (error) {
        // Another invocation took the claim over after this one's lease ran out: it is theirs now.
        if (!conditionFailed(error)) throw error;
      }
    },
  };
}
