import { childSk, flowRunIndexKeys, RUN_SK, runPk, runSortKey, taskRank, taskSk } from "../private/history-keys.ts";
import { conditionFailed, historyTable, type HistoryTableOptions } from "../private/history-table.ts";
import type { FlowRunRecord, HistoryStore, RunDetails, TaskRunRecord } from "./types.ts";
import type { Json } from "../../sdk/core/json.ts";

/** Options of the DynamoDB history store. */
export type AwsHistoryStoreOptions = HistoryTableOptions;

type Item = Record<string, unknown>;
/** Record fields kept as JSON strings: arbitrary user JSON (empty keys, deep nesting) is not always a valid item. */
const JSON_FIELDS = ["result", "params", "output"] as const;

/**
 * History in the single DynamoDB table. Every write is a conditional Put that only creates a
 * record or moves its rank forward, so redelivered and out-of-order writes are harmless.
 */
export function awsHistoryStore(options: AwsHistoryStoreOptions): HistoryStore {
  const { table } = options;
  const { ddb, call, expiresAt } = historyTable(options);

  const putRanked = async (item: Item, rank: number) => {
    const { lib, client } = await ddb();
    const put = new lib.PutCommand({
      TableName: table,
      Item: { ...toItem(item), rank, expiresAt: expiresAt() },
      ConditionExpression: "attribute_not_exists(pk) OR #rank < :rank",
      ExpressionAttributeNames: { "#rank": "rank" },
      ExpressionAttributeValues: { ":rank": rank },
    });
    try {
      await call("PutItem", (abortSignal) => client.send(put, { abortSignal }));
    } catch (error) {
      // The stored record is as far along or further: this write is a redelivery or arrived late.
      if (!conditionFailed(error)) throw error;
    }
  };

  return {
    putTaskRun: (r: TaskRunRecord) =>
      putRanked({ pk: runPk(r.runId), sk: taskSk(r), type: "task", ...r }, taskRank(r.status)),
    async putFlowRun(r: FlowRunRecord) {
      await putRanked({ pk: runPk(r.runId), sk: RUN_SK, type: "run", ...flowRunIndexKeys(r), ...r }, r.rank);
      // A copy in the parent's partition (no index keys: it is listed under its own flow once).
      if (r.parentRunId) await putRanked({ pk: runPk(r.parentRunId), sk: childSk(r.runId), type: "child", ...r }, r.rank);
    },
    async getRun(runId): Promise<RunDetails> {
      const { lib, client } = await ddb();
      const items: Item[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const query = new lib.QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": runPk(runId) },
          ExclusiveStartKey: start,
        });
        const out = await call("Query", (abortSignal) => client.send(query, { abortSignal }));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      const run = items.find((i) => i.sk === RUN_SK);
      const of = (kind: string) => items.filter((i) => i.type === kind).map((i) => fromItem(i));
      const tasks = of("task") as unknown as TaskRunRecord[];
      const children = (of("child") as unknown as FlowRunRecord[]).sort((a, b) => (runSortKey(a) < runSortKey(b) ? -1 : 1));
      return { run: run && (fromItem(run) as unknown as FlowRunRecord), tasks, children };
    },
    async listRuns(flow, query = {}) {
      const { lib, client } = await ddb();
      const byStatus = query.status !== undefined;
      const keys = flowRunIndexKeys({ flow, runId: "", status: query.status ?? "RUNNING", startedAt: "" });
      const command = new lib.QueryCommand({
        TableName: table,
        IndexName: byStatus ? "gsi2" : "gsi1",
        KeyConditionExpression: byStatus ? "gsi2pk = :pk" : "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": byStatus ? keys.gsi2pk : keys.gsi1pk },
        ScanIndexForward: false,
        Limit: query.limit ?? 50,
      });
      const out = await call("Query", (abortSignal) => client.send(command, { abortSignal }));
      return (out.Items ?? []).map((i) => fromItem(i) as unknown as FlowRunRecord);
    },
  };
}

/** Drops undefined fields (whatever the client's marshall options) and stringifies user JSON. */
function toItem(record: Item): Item {
  const item: Item = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
  for (const f of JSON_FIELDS) if (item[f] !== undefined) item[f] = JSON.stringify(item[f]);
  return item;
}

const TABLE_ONLY = ["pk", "sk", "type", "rank", "expiresAt", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"];

function fromItem(item: Item): Item {
  const record: Item = { ...item };
  for (const f of JSON_FIELDS)
    if (typeof record[f] === "string") record[f] = JSON.parse(record[f] as string) as Json;
  for (const k of TABLE_ONLY) if (k !== "rank" || record.type === "task") delete record[k];
  return record;
}
