import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BufferedAppends, flushAppends } from "../../functions/private/buffered-appends.ts";
import { tempDir } from "../support/temp-dir.ts";

const MODULE = resolve(import.meta.dirname, "../../functions/private/buffered-appends.ts");
const turnEnd = () => new Promise((done) => setImmediate(done));

describe("BufferedAppends", () => {
  it("holds a turn's appends and writes each file's lines, in order, at the end of the turn", async () => {
    const dir = tempDir("stepflow-buffered-");
    const files = new BufferedAppends();
    const [a, b] = [join(dir, "a.jsonl"), join(dir, "b.jsonl")];
    files.append(a, "1\n");
    files.append(b, "x\n");
    files.append(a, "2\n");
    expect(existsSync(a)).toBe(false);
    await turnEnd();
    expect(await readFile(a, "utf8")).toBe("1\n2\n");
    expect(await readFile(b, "utf8")).toBe("x\n");
    files.append(a, "3\n");
    await turnEnd();
    expect(await readFile(a, "utf8")).toBe("1\n2\n3\n");
    files.close(a);
  });

  it("writes a held line as its value's JSON when the lines are written, and leaves it out once withdrawn", async () => {
    const dir = tempDir("stepflow-buffered-");
    const files = new BufferedAppends();
    const a = join(dir, "a.jsonl");
    const value = { n: 1 };
    const [kept, withdrawn] = [{ value, withdrawn: false }, { value: { n: 2 }, withdrawn: false }];
    files.append(a, kept);
    files.append(a, withdrawn);
    files.append(a, "3\n");
    // Serialised when written: a change before then is what the line says.
    value.n = 10;
    withdrawn.withdrawn = true;
    files.flush();
    expect(await readFile(a, "utf8")).toBe('{"n":10}\n3\n');
    // Withdrawn after it was written: nothing changes.
    kept.withdrawn = true;
    files.flush();
    expect(await readFile(a, "utf8")).toBe('{"n":10}\n3\n');
    files.close(a);
  });

  it("writes held lines at once on `flush`, on `close` and, for every writer, on `flushAppends`", async () => {
    const dir = tempDir("stepflow-buffered-");
    const [one, two] = [new BufferedAppends(), new BufferedAppends()];
    const [a, b] = [join(dir, "a.jsonl"), join(dir, "b.jsonl")];
    one.append(a, "1\n");
    one.flush();
    expect(await readFile(a, "utf8")).toBe("1\n");
    one.append(a, "2\n");
    one.close(a);
    expect(await readFile(a, "utf8")).toBe("1\n2\n");
    one.append(a, "3\n");
    two.append(b, "x\n");
    flushAppends();
    expect([await readFile(a, "utf8"), await readFile(b, "utf8")]).toStrictEqual(["1\n2\n3\n", "x\n"]);
    one.close(a);
    two.close(b);
  });

  it("throws a write that failed at the end of a turn from the next append, and from `flush` at once", async () => {
    const dir = tempDir("stepflow-buffered-");
    const files = new BufferedAppends();
    const missing = join(dir, "gone", "a.jsonl");
    files.append(missing, "1\n");
    await turnEnd();
    expect(() => files.append(join(dir, "b.jsonl"), "2\n")).toThrow(/ENOENT/);
    files.append(missing, "3\n");
    expect(() => files.flush()).toThrow(/ENOENT/);
    // Reported once: the writer goes on.
    files.append(join(dir, "c.jsonl"), "4\n");
    files.flush();
    expect(await readFile(join(dir, "c.jsonl"), "utf8")).toBe("4\n");
    files.close(join(dir, "c.jsonl"));
  });

  it("writes held lines when the process exits within the turn that appended them", async () => {
    const dir = tempDir("stepflow-buffered-");
    const file = join(dir, "a.jsonl");
    const script = [
      `import { BufferedAppends } from ${JSON.stringify(MODULE)};`,
      "const files = new BufferedAppends();",
      `files.append(${JSON.stringify(file)}, "held\\n");`,
      // An append made by another exit listener is written through too.
      `process.on("exit", () => files.append(${JSON.stringify(file)}, "at exit\\n"));`,
      "process.exit(3);",
    ].join("\n");
    let code = 0;
    try {
      execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: "ignore" });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(3);
    expect(await readFile(file, "utf8")).toBe("held\nat exit\n");
  }, 30_000);
});
