import { describe, expect, it } from "vitest";
import { main } from "../../sdk/cli/main.ts";

async function cli(...args: string[]) {
  let stderr = "";
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } };
  return { code: await main(["node", "stepflow", ...args], io), stderr };
}

describe("numeric options", () => {
  it.each([
    ["runs --limit 0", "`--limit 0` must be a whole number >= 1"],
    ["runs --remote crypto-dip --limit 2.5", "`--limit 2.5` must be a whole number >= 1"],
    ["plan flows/crypto-dip.ts --map-size -1", "`--map-size -1` must be a whole number >= 0"],
  ])("`stepflow %s` exits 2 naming the option", async (command, message) => {
    const out = await cli(...command.split(" "));
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`error: ${message}\n`);
  });
});
