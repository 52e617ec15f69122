/**
 * DNS rebinding and cross-site requests: a page on another site can make a browser send requests
 * to 127.0.0.1, either through a host name it points at 127.0.0.1 (the `Host` header is then its
 * name) or from its own origin (the `Origin` header is then its own). Only the server's own names
 * are answered.
 */
import type { MiddlewareHandler } from "hono";

/** The `Host` values the server at `port` answers to. */
export function ownHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** A middleware that answers 403 unless `Host` (and `Origin`, when sent) are the server's own. */
export function sameHostOnly(port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const hosts = ownHosts(port());
    const host = c.req.header("host") ?? "";
    if (!hosts.has(host.toLowerCase())) {
      return c.text(`stepflow ui answers only requests for ${[...hosts].join(" or ")}; \`Host: ${host}\` was refused (DNS rebinding protection)`, 403);
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !hosts.has(origin.toLowerCase().replace(/^http:\/\//, ""))) {
      return c.text(`stepflow ui answers only its own pages; \`Origin: ${origin}\` was refused`, 403);
    }
    await next();
  };
}
