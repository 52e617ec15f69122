/**
 * The CLI as tests drive it: in-process through `main(argv, io)` (the entry the binary calls),
 * or, to prove the wiring, the real binary spawned with its output read from pipes.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { main } from "../../sdk/cli/main.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

/** What one CLI call did. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `stepflow <args>` in-process; `tty` makes stdout and stderr claim to be terminals, `stdin`
 * is what the command reads from its standard input (piped: not a terminal).
 */
export async function cli(
  args: readonly string[],
  options: { tty?: boolean; stdin?: string } = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const isTTY = options.tty ?? false;
  const io = {
    stdout: { isTTY, write: (s: string) => (stdout += s) },
    stderr: { isTTY, write: (s: string) => (stderr += s) },
    stdin: Readable.from([Buffer.from(options.stdin ?? "")]),
  };
  const code = await main(["node", "stepflow", ...args], io);
  return { code, stdout, stderr };
}

/**
 * Runs `node bin/stepflow.js <args>` from the repo root, its stdout and stderr pipes read whole;
 * `stdin`, when given, is piped in and the pipe closed.
 */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<CliResult> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [resolve(ROOT, "bin/stepflow.js"), ...args],
      {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, STEPFLOW_SECRET_SLACK_WEBHOOK: undefined, NO_COLOR: "1", ...env },
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
