/** How the CLI reports what commands throw: CLI flags named, network failures told apart from AWS refusals. */
import { describe, expect, it } from "vitest";
import { cliWording, reportError } from "../../sdk/cli/private/report-error.ts";
import { ClientConfigError } from "../../sdk/client/errors.ts";
import { cli } from "../support/cli.ts";

function report(error: unknown): { code: number; text: string } {
  let text = "";
  const code = reportError(error, { write: (s: string) => (text += s) });
  return { code, text };
}

describe("CLI error messages", () => {
  it("names the CLI flag, not the client option, when history or results need a name", async () => {
    const r = await cli(["runs", "some-run-id", "--remote", "--region", "eu-west-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass `--history-table <name>` or set `STEPFLOW_HISTORY_TABLE`/);
    expect(r.stderr).not.toMatch(/historyTable/);
  });

  it.each([
    ["pass `resultsBucket` (the flow stack's bucket name)", "pass `--results-bucket <name>` (the flow stack's bucket name)"],
    ["pass `region` (`--region` on the CLI) or set `AWS_REGION`", "pass `--region <region>` or set `AWS_REGION`"],
    ["pass `somethingElse`", "pass `somethingElse`"],
  ])("rewords %j", (from, to) => {
    expect(cliWording(from)).toBe(to);
    expect(report(new ClientConfigError(from)).text).toBe(`error: ${to}\n`);
  });

  it("tells a request that got no answer from one AWS refused", () => {
    const network = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
      $metadata: { attempts: 3 },
    });
    const net = report(network);
    expect(net.code).toBe(2);
    expect(net.text).toMatch(/^error: could not reach AWS \(no answer came back\): connect ECONNREFUSED 127\.0\.0\.1:1; check the network/);
    expect(net.text).not.toMatch(/refused the request/);
    const refused = Object.assign(new Error("User is not authorized"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(report(refused).text).toBe("error: AWS refused the request: AccessDeniedException: User is not authorized\n");
  });

  it("reports what nobody threw on purpose as a bug, with the stack", () => {
    const r = report(new TypeError("x is not a function"));
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/^stepflow crashed; this is a bug, please report it:\nTypeError: x is not a function\n/);
  });
});
