/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of an emulator (dynalite, s3rver): each
 * request, numbered from 0, is passed on, delayed, answered with a 500, dropped (socket
 * destroyed: "socket hang up") or left hanging, as `decide` says.
 */
import { createServer, request as forward, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { close, listen } from "../../support/http-stubs.ts";

export type Fault = "pass" | "error" | "drop" | "hang" | { readonly delayMs: number };

export interface FaultProxy {
  /** The proxy's base URL: use it as the client's `endpoint`. */
  readonly endpoint: string;
  /** Requests received so far, with the fault each got. */
  readonly seen: { readonly n: number; readonly fault: Fault; readonly target?: string }[];
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(target: string, decide: (n: number) => Fault): Promise<FaultProxy> {
  const to = new URL(target);
  const seen: FaultProxy["seen"] = [];
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer(async (req, res) => {
    const n = count++;
    const fault = decide(n);
    seen.push({ n, fault, target: req.headers["x-amz-target"] as string | undefined });
    const payload = await body(req);
    if (fault === "hang") return;
    if (fault === "drop") return void req.socket.destroy();
    if (fault === "error") {
      res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
      return void res.end(JSON.stringify({ __type: "InternalServerError", message: "injected fault" }));
    }
    if (typeof fault === "object") await new Promise((r) => setTimeout(r, fault.delayMs));
    const out = forward(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => req.socket.destroy());
    out.end(payload);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    seen,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await close(server);
    },
  };
}
