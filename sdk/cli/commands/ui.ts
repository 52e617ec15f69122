import { spawn } from "node:child_process";
import type { Command } from "commander";
import type { CliIo } from "../private/io.ts";
import { projectDir, remoteHistoryOptions, wholeNumber } from "../private/options.ts";

interface UiOptions {
  readonly dir: string;
  readonly port: string;
  readonly remote?: boolean;
  readonly open?: boolean;
  readonly region?: string;
  readonly historyTable?: string;
}

/** `stepflow ui`: serves the web view of runs on 127.0.0.1 until interrupted. */
export function uiCommand(program: Command, io: CliIo): void {
  remoteHistoryOptions(program.command("ui"))
    .description("a web page of runs on 127.0.0.1: the list, each run's graph and timeline, live")
    .option("--dir <dir>", "project folder of the local history", ".stepflow")
    .option("--port <port>", "port on 127.0.0.1 (0 picks a free one)", "4321")
    .option("--remote", "runs on AWS: the flow stacks' history table and executions")
    .option("--open", "open the page in the default browser")
    .action(async (o: UiOptions) => {
      const port = wholeNumber("port", o.port, 0);
      // Loaded on use: the server and the AWS SDK would slow down every other command's start-up.
      const { serveUi, localRunSource } = await import("../../ui/index.ts");
      const source = o.remote
        ? (await import("../../ui/remote-source.ts")).remoteRunSource({ region: o.region, historyTable: o.historyTable })
        : localRunSource({ dir: projectDir(o.dir), onProblem: (m) => io.stderr.write(`warning: ${m}\n`) });
      const ui = await serveUi(source, { port });
      io.stdout.write(`stepflow ui: ${ui.url} (${o.remote ? "runs on AWS" : `local runs in \`${o.dir}\``}); Ctrl+C stops it\n`);
      if (o.open) openBrowser(ui.url);
      await new Promise<void>((done) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => done());
      });
      await ui.close();
    });
}

/** Opens `url` with the system's opener; a machine without one just has the printed address. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", "", url]] : ["xdg-open", [url]];
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  child.on("error", () => {});
  child.unref();
}
