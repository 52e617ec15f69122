/**
 * The endpoint of the emulated account, on the port moto's Step Functions interpreter calls back
 * (`MOTO_PORT`): Lambda `Invoke` runs the function's bundle in the rehearsal's Lambda pool;
 * every other request is checked against the signer's role (when a deployed function signed it)
 * and forwarded to moto. A denial answers as AWS does (`AccessDenied`) and is recorded, so the
 * rehearsal fails naming the action, resource and role.
 */
import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { iamAsks, type AskScope, signer, type WireRequest } from "./aws-request.ts";
import type { InvokeResult, RehearsalFunction } from "./lambda-pool.ts";

/** What the proxy needs from the rehearsal. */
export interface ProxyHooks {
  readonly motoPort: number;
  readonly scope: AskScope;
  /** The deployed function named by an Invoke path (`name`, ARN or partial ARN). */
  readonly functionNamed: (name: string) => RehearsalFunction | undefined;
  readonly invoke: (fn: RehearsalFunction, event: unknown) => Promise<InvokeResult>;
  /** The function whose credentials carry `accessKeyId`, if any. */
  readonly functionByKey: (accessKeyId: string) => RehearsalFunction | undefined;
  /** IAM's verdict on a function's request; a denial's `reason` names action, resource and role. */
  readonly authorize: (
    fn: RehearsalFunction,
    ask: { action: string; resource: string; context?: Readonly<Record<string, string>> },
  ) => Promise<{ allowed: boolean; reason: string }>;
  /** Called with each denial (the rehearsal fails with them). */
  readonly onDenied: (reason: string) => void;
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

/** Starts the proxy on `port` (0 = any free port); resolves with the server and its port. */
export async function startProxy(port: number, hooks: ProxyHooks): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(req, res, hooks).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ __type: "InternalFailure", message: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function handle(req: IncomingMessage, res: ServerResponse, hooks: ProxyHooks): Promise<void> {
  const body = await readBody(req);
  const request: WireRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body };
  const invoke = INVOKE.exec(new URL(request.url, "http://localhost").pathname);
  if (invoke && request.method === "POST") return invokeFunction(decodeURIComponent(invoke[1]), request, res, hooks);
  const denial = await deniedBy(request, hooks);
  if (denial) {
    hooks.onDenied(denial);
    return accessDenied(res, signer(request.headers)?.service ?? "", denial);
  }
  forward(request, res, hooks.motoPort);
}

/** The reason IAM denies the request, when a deployed function signed it and its role lacks a grant. */
async function deniedBy(request: WireRequest, hooks: ProxyHooks): Promise<string | undefined> {
  const signed = signer(request.headers);
  const fn = signed && hooks.functionByKey(signed.accessKeyId);
  if (!signed || !fn) return undefined;
  for (const ask of iamAsks(signed.service, request, hooks.scope)) {
    const decision = await hooks.authorize(fn, ask);
    if (!decision.allowed) return `function \`${fn.logicalId}\`: ${decision.reason}`;
  }
  return undefined;
}

async function invokeFunction(name: string, request: WireRequest, res: ServerResponse, hooks: ProxyHooks) {
  const fn = hooks.functionNamed(name);
  if (!fn) {
    res.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "ResourceNotFoundException" });
    res.end(JSON.stringify({ Type: "User", message: `Function not found: ${name}` }));
    return;
  }
  const text = request.body.toString("utf8");
  const result = await hooks.invoke(fn, text ? JSON.parse(text) : {});
  const headers: Record<string, string> = { "content-type": "application/json", "x-amz-executed-version": "$LATEST" };
  if (result.functionError) headers["x-amz-function-error"] = result.functionError;
  res.writeHead(200, headers);
  res.end(JSON.stringify(result.payload));
}

function accessDenied(res: ServerResponse, service: string, reason: string): void {
  if (service === "s3") {
    res.writeHead(403, { "content-type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${escapeXml(reason)}</Message></Error>`);
    return;
  }
  res.writeHead(400, { "content-type": "application/x-amz-json-1.0", "x-amzn-errortype": "AccessDeniedException" });
  res.end(JSON.stringify({ __type: "AccessDeniedException", message: reason }));
}

function forward(request: WireRequest, res: ServerResponse, port: number): void {
  const upstream = httpRequest(
    { host: "127.0.0.1", port, method: request.method, path: request.url, headers: request.headers },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ __type: "ServiceUnavailable", message: `moto is unreachable: ${error.message}` }));
  });
  upstream.end(request.body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
