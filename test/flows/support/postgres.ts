/**
 * A throwaway PostgreSQL server for tests: Debian's binaries (PATH, else /usr/lib/postgresql/<v>/bin),
 * a copy of an `initdb` cluster in a temp dir, started on 127.0.0.1 at a free port with its socket
 * in that dir.
 * initdb refuses to run as root, so as root the server runs as the `postgres` user that Debian's
 * package creates (`.ci/run` installs it).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running server; `stop()` shuts it down and deletes its files. */
export interface TestPostgres {
  /** `postgres://stepflow@127.0.0.1:<port>/postgres` (trust auth, no password). */
  readonly url: string;
  readonly port: number;
  stop(): void;
}

/** Finds `initdb` and `pg_ctl`: on PATH, or in the newest /usr/lib/postgresql/<version>/bin. */
export function findPostgresBin(): string {
  const onPath = (process.env.PATH ?? "").split(":").find((d) => d && existsSync(join(d, "initdb")));
  if (onPath && existsSync(join(onPath, "pg_ctl"))) return onPath;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions
    .sort((a, b) => Number(b) - Number(a))
    .find((v) => existsSync(join(root, v, "bin", "initdb")));
  if (newest) return join(root, newest, "bin");
  throw new Error(
    "PostgreSQL server binaries (`initdb`, `pg_ctl`) are on neither PATH nor /usr/lib/postgresql/<version>/bin; install them with `apt-get install -y postgresql` (as .ci/run does)",
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a fresh server (about 1.5 s; 0.5 s once this machine has a cluster to copy). */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), "stepflow-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const exec = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
  };
  const run = (tool: string, args: string[]) => exec(join(bin, tool), args);
  if (asRoot) {
    let uid: number;
    try {
      uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    } catch (cause) {
      throw new Error(
        "running as root, and there is no `postgres` user to run PostgreSQL as (initdb refuses root); install Debian's `postgresql` package, which creates it",
        { cause },
      );
    }
    chmodSync(dir, 0o755);
    chownSync(dir, uid, -1);
  }
  const port = await freePort();
  try {
    // A copy of a cluster initdb made once per user, server version and arguments: initdb takes about
    // 2 CPU-seconds, a copy of its 40 MB a fraction of that (`cp -a` keeps owner and modes).
    exec("cp", ["-a", clusterTemplate(bin, dir, run), data]);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "-o", options, "start"]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`could not start PostgreSQL from ${bin}: ${stderr || String(error)}`, { cause: error });
  }
  return {
    url: `postgres://stepflow@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * An empty cluster (user `stepflow`, trust auth, UTF8) in the temp folder, made by initdb on first
 * use and kept for later test runs. Its name holds the server version, the initdb arguments and
 * this user's id, so another version, another set of arguments or another user gets its own; it is
 * used only if it is a real folder owned by the user the server runs as (nobody else planted it)
 * whose initdb finished (`PG_VERSION` is written last, and the template is synced). Made in a
 * folder of its own and renamed into place, so a server started meanwhile never copies half of it.
 */
function clusterTemplate(bin: string, dir: string, run: (tool: string, args: string[]) => void): string {
  const version = execFileSync(join(bin, "initdb"), ["--version"], { encoding: "utf8" });
  const args = ["-U", "stepflow", "-A", "trust", "-E", "UTF8", "--no-instructions"];
  const key = createHash("sha256").update(`${version}\0${args.join("\0")}`).digest("hex").slice(0, 16);
  const template = join(tmpdir(), `stepflow-pg-template-${process.getuid?.() ?? "user"}-${key}`);
  const owner = statSync(dir).uid;
  const usable = () => {
    const stat = lstatSync(template, { throwIfNoEntry: false });
    return stat?.isDirectory() === true && stat.uid === owner && existsSync(join(template, "PG_VERSION"));
  };
  if (usable()) return template;
  const made = join(dir, "template");
  run("initdb", ["-D", made, ...args]);
  try {
    renameSync(made, template);
  } catch (error) {
    // Another server made it first (the rename finds a folder in place): use theirs.
    if (!usable()) throw error;
  }
  return template;
}
