import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RehearsalSetupError } from "../../infra/rehearse/errors.ts";
import { startMoto } from "../../infra/rehearse/private/moto-process.ts";

const saved = { python: process.env.STEPFLOW_PYTHON, path: process.env.PYTHONPATH };
const dirs: string[] = [];

afterEach(() => {
  for (const [name, value] of [["STEPFLOW_PYTHON", saved.python], ["PYTHONPATH", saved.path]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("starting the emulated account", () => {
  it("names the install command when python3 is missing", async () => {
    process.env.STEPFLOW_PYTHON = "/nonexistent/python3";
    const started = startMoto(1, "us-east-1", "123456789012");
    await expect(started).rejects.toThrow(RehearsalSetupError);
    await expect(started).rejects.toThrow(/pip install "moto\[server\]==5\.2\.1"/);
  });

  it("refuses another moto version, whose bugs the launcher does not patch, naming the install command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stepflow-fake-moto-"));
    dirs.push(dir);
    mkdirSync(join(dir, "moto"));
    writeFileSync(join(dir, "moto", "__init__.py"), '__version__ = "5.0.0"\n');
    process.env.PYTHONPATH = dir;
    await expect(startMoto(1, "us-east-1", "123456789012")).rejects.toThrow(
      /needs moto 5\.2\.1, found 5\.0\.0.*pip install "moto\[server\]==5\.2\.1"/s,
    );
  });
});
