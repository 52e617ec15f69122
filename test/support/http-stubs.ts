/**
 * HTTP stand-ins on 127.0.0.1 at random ports: an AWS JSON-protocol stub (Step Functions,
 * Secrets Manager) and a webhook recorder (Slack). Each records every request for assertions.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts `server` on a random port of 127.0.0.1 and resolves to its base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Stops `server` once its connections have ended. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** What a handler returns: a response body, or an AWS error (`__error`: its name). */
export type StubReply = Record<string, unknown> | { readonly __error: string; readonly message?: string };
export type StubHandler = (body: Record<string, unknown>) => StubReply | Promise<StubReply>;

export interface StubRequest {
  /** The `x-amz-target` header, e.g. `secretsmanager.GetSecretValue`. */
  readonly target: string;
  /** The operation: the target's last part, e.g. `GetSecretValue`. */
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** A stub AWS JSON-protocol endpoint: each operation answered by its handler, others fail. */
export interface AwsStub {
  readonly endpoint: string;
  /** Every request, in order; tests empty it with `requests.length = 0`. */
  readonly requests: StubRequest[];
  stop(): Promise<void>;
}

export async function startAwsStub(handlers: Readonly<Record<string, StubHandler>>): Promise<AwsStub> {
  const requests: StubRequest[] = [];
  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    const target = String(req.headers["x-amz-target"]);
    const operation = target.split(".").at(-1) ?? "";
    const body = JSON.parse(text || "{}") as Record<string, unknown>;
    requests.push({ target, operation, body });
    const handler = handlers[operation];
    const reply: StubReply = handler
      ? await handler(body)
      : { __error: "UnknownOperationException", message: `stub has no ${operation}` };
    res.setHeader("content-type", "application/x-amz-json-1.1");
    if (typeof reply.__error === "string") {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: reply.__error, message: reply.message ?? reply.__error }));
    } else {
      res.end(JSON.stringify(reply));
    }
  });
  return { endpoint: await listen(server), requests, stop: () => close(server) };
}

/** Environment for SDK clients built by the CLI: stub endpoints, fixed region and fake credentials. */
export function stubEnv(endpoints: Record<string, string>): Record<string, string> {
  return {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_EC2_METADATA_DISABLED: "true",
    ...Object.fromEntries(Object.entries(endpoints).map(([k, v]) => [`AWS_ENDPOINT_URL_${k}`, v])),
  };
}

/** One request a webhook received: its path (with query) and raw body. */
export interface WebhookPost {
  readonly path: string;
  readonly body: string;
}

/** A recording stand-in for a webhook endpoint such as Slack's incoming webhooks. */
export interface WebhookRecorder {
  /** The base URL; any path under it is accepted. */
  readonly url: string;
  /** Every request received, in order; tests empty it with `posts.length = 0`. */
  readonly posts: WebhookPost[];
  /** What the next requests are answered. @default { status: 200, body: "ok" } */
  reply: { status: number; body: string };
  stop(): Promise<void>;
}

export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const posts: WebhookPost[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    posts.push({ path: String(req.url), body });
    res.writeHead(recorder.reply.status).end(recorder.reply.body);
  });
  const recorder: WebhookRecorder = {
    url: await listen(server),
    posts,
    reply: { status: 200, body: "ok" },
    stop: () => close(server),
  };
  return recorder;
}
