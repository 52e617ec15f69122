/**
 * Starts moto (the emulated AWS account) through `moto_launcher.py` with python3, and stops it.
 * A missing python3 or moto, or another moto version, is a `RehearsalSetupError` naming the
 * install command.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { RehearsalSetupError } from "../errors.ts";

const LAUNCHER = fileURLToPath(new URL("../moto_launcher.py", import.meta.url));
/** Exit code of the launcher when moto is missing or the wrong version (its message says which). */
const MOTO_MISSING = 3;
const INSTALL = 'pip install "moto[server]==5.2.1"';

/** A running moto server. */
export interface MotoProcess {
  readonly port: number;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts moto on a free port; its Step Functions interpreter calls back to `callbackPort`. */
export async function startMoto(callbackPort: number, region: string, account: string): Promise<MotoProcess> {
  const port = await freePort();
  const python = process.env.STEPFLOW_PYTHON ?? "python3";
  const child = spawn(python, [LAUNCHER, "--port", String(port), "--region", region, "--account", account], {
    env: { ...process.env, MOTO_PORT: String(callbackPort), PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  // `STEPFLOW_REHEARSE_DEBUG=1` shows moto's own log (requests, tracebacks) on stderr.
  const debug = Boolean(process.env.STEPFLOW_REHEARSE_DEBUG);
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
    if (debug) process.stderr.write(chunk);
  });
  await waitListening(child, python, () => stderr);
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve()).kill("SIGTERM");
      }),
  };
}

function waitListening(child: ChildProcess, python: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (message: string) => reject(new RehearsalSetupError(message));
    child.once("error", (error: NodeJS.ErrnoException) =>
      fail(
        error.code === "ENOENT"
          ? `\`${python}\` was not found: the rehearsal runs moto 5.2.1 with Python 3; install Python 3, then ${INSTALL} (or set \`STEPFLOW_PYTHON\`)`
          : `\`${python}\` could not start: ${error.message}`,
      ),
    );
    child.once("exit", (code) =>
      fail(
        code === MOTO_MISSING
          ? stderr().trim()
          : `moto exited with code ${code} before serving: ${stderr().trim().split("\n").slice(-5).join("\n")}\nreinstall it with ${INSTALL}`,
      ),
    );
    // werkzeug reports on stderr once the socket is bound.
    const onData = () => {
      if (/Running on http/.test(stderr())) {
        child.stderr?.off("data", onData);
        resolve();
      }
    };
    child.stderr?.on("data", onData);
  });
}
