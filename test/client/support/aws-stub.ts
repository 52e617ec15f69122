/**
 * A tiny AWS JSON-protocol stub on 127.0.0.1 (Step Functions, Secrets Manager): each request's
 * `x-amz-target` operation is answered by a handler; requests are recorded for assertions.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** What a handler returns: a response body, or an AWS error (`__error`: its name). */
export type StubReply = Record<string, unknown> | { readonly __error: string; readonly message?: string };
export type StubHandler = (body: Record<string, unknown>) => StubReply | Promise<StubReply>;

export interface StubRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

export async function startAwsStub(handlers: Record<string, StubHandler>) {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString();
    });
    req.on("end", async () => {
      const operation = String(req.headers["x-amz-target"]).split(".").at(-1) ?? "";
      const body = JSON.parse(text || "{}") as Record<string, unknown>;
      requests.push({ operation, body });
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
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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
