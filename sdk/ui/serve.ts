import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { StepflowError } from "../core/errors.ts";
import { createUiApp } from "./app-server.ts";
import { pageAssets } from "./private/bundle.ts";
import type { RunSource } from "./types.ts";

/** Options of `serveUi`. */
export interface ServeUiOptions {
  /** The port on 127.0.0.1; 0 picks a free one. @default 4321 */
  readonly port?: number;
  /** How often open pages are checked for changes, in ms. @default 300 (local), 3000 (remote) */
  readonly pollMs?: number;
}

/** A running `stepflow ui` server. */
export interface UiServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the run views of `source` on 127.0.0.1 only (never another interface), with the page's
 * script built before the server answers.
 * @example const ui = await serveUi(localRunSource({ dir: ".stepflow" }), { port: 0 }); console.log(ui.url);
 */
export async function serveUi(source: RunSource, options: ServeUiOptions = {}): Promise<UiServer> {
  await pageAssets();
  let port = options.port ?? 4321;
  const pollMs = options.pollMs ?? (source.kind === "remote" ? 3000 : 300);
  const app = createUiApp(source, { port: () => port, pollMs });
  const server = await new Promise<ReturnType<typeof serve>>((done, fail) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port }, () => done(s));
    s.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        error.code === "EADDRINUSE"
          ? new StepflowError(`port ${port} on 127.0.0.1 is in use; pass another with \`--port\` (0 picks a free one)`, { cause: error })
          : error,
      ),
    );
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((done) => {
        // Open event streams would keep `close` waiting forever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => done());
      }),
  };
}
