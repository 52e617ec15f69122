/**
 * What an AWS wire request asks IAM for: who signed it (the access key id of its SigV4
 * `Authorization`), and each `service:Action` on a resource ARN it needs, derived as AWS derives
 * them: `X-Amz-Target` and the body for JSON protocols (DynamoDB, Secrets Manager, Step
 * Functions, CloudWatch Logs), the method, path and query for S3's REST protocol.
 */
import type { IncomingHttpHeaders } from "node:http";

/** One authorization IAM evaluates for a request. */
export interface IamAsk {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}

/** A request as the proxy received it. */
export interface WireRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Where the request is evaluated: the account and region of the rehearsal, secret ARNs by name. */
export interface AskScope {
  readonly account: string;
  readonly region: string;
  /** The ARN of a secret given by name (Secrets Manager adds a 6-character suffix). */
  readonly secretArn: (name: string) => string;
}

/** The signer's access key id and signing service, from `Authorization: AWS4-HMAC-SHA256 Credential=...`. */
export function signer(headers: IncomingHttpHeaders): { accessKeyId: string; service: string } | undefined {
  const match = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ""));
  return match ? { accessKeyId: match[1], service: match[2] } : undefined;
}

/** The authorizations `request` needs, signed for `service`. */
export function iamAsks(service: string, request: WireRequest, scope: AskScope): IamAsk[] {
  if (service === "s3") return s3Asks(request);
  const target = String(request.headers["x-amz-target"] ?? "");
  const operation = target.slice(target.lastIndexOf(".") + 1);
  if (!operation) return [{ action: `${service}:Unknown`, resource: "*" }];
  const body = parseJson(request.body);
  const arn = (svc: string, resource: string) => `arn:aws:${svc}:${scope.region}:${scope.account}:${resource}`;
  const action = `${service}:${operation}`;
  switch (service) {
    case "dynamodb": {
      const context = leadingKey(body);
      return dynamoTables(operation, body).map((table) => ({ action, resource: arn("dynamodb", table), ...context }));
    }
    case "secretsmanager": {
      const id = String(body.SecretId ?? "");
      return [{ action, resource: id.startsWith("arn:") ? id : scope.secretArn(id) }];
    }
    case "states":
      return [{ action, resource: String(body.executionArn ?? body.stateMachineArn ?? body.mapRunArn ?? "*") }];
    case "logs": {
      const group = String(body.logGroupName ?? "");
      const stream = body.logStreamName ? `:log-stream:${String(body.logStreamName)}` : ":*";
      return [{ action, resource: group ? arn("logs", `log-group:${group}${stream}`) : "*" }];
    }
    default:
      return [{ action, resource: "*" }];
  }
}

/** The table (or `table/index/name`) resources of a DynamoDB request. */
function dynamoTables(operation: string, body: Record<string, unknown>): string[] {
  if (typeof body.TableName === "string") {
    const index = typeof body.IndexName === "string" ? `/index/${body.IndexName}` : "";
    return [`table/${body.TableName}${index}`];
  }
  if (body.RequestItems && typeof body.RequestItems === "object")
    return Object.keys(body.RequestItems).map((t) => `table/${t}`);
  if (Array.isArray(body.TransactItems)) {
    const tables = body.TransactItems.flatMap((item: Record<string, { TableName?: string }>) =>
      Object.values(item).map((op) => `table/${op.TableName}`),
    );
    return [...new Set(tables)];
  }
  return [`table/${operation}`];
}

/**
 * `dynamodb:LeadingKeys` of a single-item request (its `Key` or `Item`'s `pk`), which IAM checks
 * against `LeadingKeys` conditions (a cached task may read only its own cache leases).
 */
function leadingKey(body: Record<string, unknown>): { context?: Record<string, string> } {
  const item = (body.Key ?? body.Item) as { pk?: { S?: unknown } } | undefined;
  const pk = item?.pk?.S;
  return typeof pk === "string" ? { context: { "dynamodb:LeadingKeys": pk } } : {};
}

/** S3's REST operations the runtime and flows use, path-style or virtual-hosted. */
function s3Asks(request: WireRequest): IamAsk[] {
  const url = new URL(request.url, "http://localhost");
  const host = String(request.headers.host ?? "");
  const virtual = /^([^.]+)\.(?:s3\.|localhost|127\.0\.0\.1)/.exec(host)?.[1];
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const bucket = virtual ?? parts.shift();
  if (!bucket) return [{ action: "s3:ListAllMyBuckets", resource: "*" }];
  const key = parts.join("/");
  const object = `arn:aws:s3:::${bucket}/${key}`;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const method = request.method.toUpperCase();
  if (!key) {
    if (method === "GET" && (url.searchParams.has("list-type") || url.search === "" || url.searchParams.has("prefix")))
      return [{ action: "s3:ListBucket", resource: bucketArn, context: { "s3:prefix": url.searchParams.get("prefix") ?? "" } }];
    if (method === "POST" && url.searchParams.has("delete")) return [{ action: "s3:DeleteObject", resource: `${bucketArn}/*` }];
    return [{ action: `s3:${method === "GET" ? "GetBucket" : "PutBucket"}${[...url.searchParams.keys()][0] ?? ""}`, resource: bucketArn }];
  }
  switch (method) {
    case "GET":
    case "HEAD":
      return [{ action: "s3:GetObject", resource: object }];
    case "PUT":
    case "POST":
      return [{ action: "s3:PutObject", resource: object }];
    case "DELETE":
      return [{ action: "s3:DeleteObject", resource: object }];
    default:
      return [{ action: `s3:${method}`, resource: object }];
  }
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString("utf8") || "{}");
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
