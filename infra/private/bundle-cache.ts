/**
 * An on-disk cache of bundle builds, so a new process (each `cdk synth`, each test worker) skips
 * esbuild when nothing the build read has changed. One entry per worker run, keyed by its whole
 * batch of requests: a bundle's chunks depend on the other bundles built with it, so only the
 * same batch may reuse them (the same bundles and asset hashes as a fresh build).
 *
 * Entry `<outRoot>/.cache/<sha256 of key>.json`: the worker's answer and, per file the build read,
 * its size, mtime and sha256. Deleting the folder is safe: the next synth builds again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bundle } from "../bundle-info.ts";

/**
 * What the worker prints: bundles with `inputs` as indexes into `files` (followed by those of
 * `inputSets[inputSet]`, the inputs of the chunks many bundles share, listed once), and every file
 * its builds read.
 */
export interface WorkerAnswer {
  readonly files: readonly string[];
  readonly inputSets: readonly (readonly number[])[];
  readonly bundles: readonly (Omit<Bundle, "inputs"> & {
    readonly inputs: readonly number[];
    /** The index in `inputSets` of the rest of the bundle's inputs. @default none */
    readonly inputSet?: number;
    /** The names of the files in the bundle's directory (absent in entries cached before it was added). */
    readonly files?: readonly string[];
  })[];
  readonly sources: readonly string[];
}

/** A source file as the build read it; `null`: it did not exist. */
type Fingerprint = { readonly size: number; readonly mtimeMs: number; readonly sha256: string } | null;

interface Entry {
  readonly answer: WorkerAnswer;
  readonly sources: Readonly<Record<string, Fingerprint>>;
  /** The project's source folders, each as the sha256 of its sorted file names: a file added beside a source may win resolution. */
  readonly folders: Readonly<Record<string, string>>;
}

/**
 * Files that steer module resolution without being read as sources (esbuild's metafile lists no
 * `package.json` or `tsconfig.json`): each one in a project source's folder or above it is
 * recorded, or recorded absent, so an `exports`, `paths` or lockfile change is a miss.
 */
const RESOLUTION_FILES = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "tsconfig.json", "jsconfig.json"];

/**
 * A file modified this close to the build's start may have changed while esbuild read it (and
 * some file systems keep mtimes to 2 s): such a build is not cached.
 */
const MTIME_SLACK_MS = 2000;

/** Where a request (a `BundleRequest` of `bundle.ts`, which imports this file) writes its bundle. */
interface Request {
  readonly outRoot: string;
}

/** Returns the cached answer of an identical earlier build of `requests`, else runs `run` (the worker) and caches its answer. */
export function cachedBuild(requests: readonly Request[], run: (input: string) => string): WorkerAnswer {
  const file = join(requests[0].outRoot, ".cache", `${entryKey(requests)}.json`);
  const hit = readEntry(file, requests.length);
  if (hit) return hit;
  const started = Date.now();
  const answer = JSON.parse(run(JSON.stringify({ requests }))) as WorkerAnswer;
  writeEntry(file, answer, started);
  return answer;
}

function entryKey(requests: readonly Request[]): string {
  // Inputs are relative to the working directory, so it is part of the key.
  return createHash("sha256")
    .update(JSON.stringify([toolchain(), process.cwd(), requests]))
    .digest("hex");
}

const HERE = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);
let toolchainId: string | undefined;

/** What builds the bundles besides the sources: Node's major, esbuild and TypeScript (slices), the worker's own code. */
function toolchain(): string {
  if (toolchainId === undefined) {
    const hash = createHash("sha256").update(`node ${process.versions.node.split(".")[0]}\0`);
    // TypeScript is optional (without it, bundle-slices.mjs gives each task the whole module).
    for (const name of ["esbuild", "typescript"]) hash.update(`${name} ${versionOf(name)}\0`);
    for (const name of readdirSync(HERE).filter((f) => /^bundle-.*\.mjs$/.test(f)).sort()) {
      hash.update(`${name}\0`).update(readFileSync(join(HERE, name)));
    }
    toolchainId = hash.digest("hex");
  }
  return toolchainId;
}

/** The installed version of package `name`, or "none" when it is not installed. */
function versionOf(name: string): string {
  try {
    return (requireHere(`${name}/package.json`) as { version: string }).version;
  } catch {
    return "none";
  }
}

/** The entry's answer if every source is unchanged and every bundle is on disk; an absent, corrupt or stale entry gives undefined. */
function readEntry(file: string, count: number): WorkerAnswer | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
    const { answer } = entry;
    const whole = Array.isArray(answer.files) && Array.isArray(answer.inputSets) && Array.isArray(answer.sources) && answer.bundles.length === count;
    return whole &&
      Object.entries(entry.sources).every(([path, print]) => unchanged(path, print)) &&
      Object.entries(entry.folders).every(([dir, listed]) => listing(dir) === listed) &&
      answer.bundles.every((b) => existsSync(join(b.dir, "index.mjs")))
      ? answer
      : undefined;
  } catch {
    return undefined;
  }
}

function unchanged(path: string, print: Fingerprint): boolean {
  const now = statSync(path, { throwIfNoEntry: false });
  if (!now || !print) return !now && !print;
  if (now.size !== print.size) return false;
  return now.mtimeMs === print.mtimeMs || contentHash(path, now) === print.sha256;
}

/** Per file version, hashed once per process: a synth's stacks share the runtime and SDK sources. */
const hashes = new Map<string, string>();

function contentHash(path: string, stat: Stats): string {
  const id = `${path}\0${stat.size}\0${stat.mtimeMs}`;
  let hash = hashes.get(id);
  if (hash === undefined) {
    hash = createHash("sha256").update(readFileSync(path)).digest("hex");
    hashes.set(id, hash);
  }
  return hash;
}

/** Writes the entry through a temporary file and a rename: concurrent syntheses never read half an entry. */
function writeEntry(file: string, answer: WorkerAnswer, started: number): void {
  const sources: Record<string, Fingerprint> = {};
  const record = (path: string): boolean => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && stat.mtimeMs >= started - MTIME_SLACK_MS) return false;
    sources[path] = stat?.isFile() ? { size: stat.size, mtimeMs: stat.mtimeMs, sha256: contentHash(path, stat) } : null;
    return true;
  };
  // The dependencies' own resolution files change with the lockfile; the project's are walked.
  const folders: Record<string, string> = {};
  const projectDirs = new Set(answer.sources.filter((p) => !p.includes("/node_modules/")).map((p) => resolve(dirname(p))));
  for (const dir of projectDirs) folders[dir] = listing(dir);
  for (const path of [...answer.sources, ...resolutionFiles([...projectDirs, process.cwd()])]) if (!record(path)) return;
  const tmp = `${file}.${process.pid}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(tmp, JSON.stringify({ answer, sources, folders } satisfies Entry));
  renameSync(tmp, file);
}

/** The sorted names in `dir`, hashed ("" if it is gone). */
function listing(dir: string): string {
  try {
    return createHash("sha256").update(readdirSync(dir).sort().join("\0")).digest("hex");
  } catch {
    return "";
  }
}

/** Every resolution file's path in `dirs` and their parents up to the root. */
function resolutionFiles(dirs: Iterable<string>): string[] {
  const seen = new Set<string>();
  const paths: string[] = [];
  for (const start of dirs) {
    for (let dir = start; !seen.has(dir); dir = dirname(dir)) {
      seen.add(dir);
      for (const name of RESOLUTION_FILES) paths.push(join(dir, name));
    }
  }
  return paths;
}
