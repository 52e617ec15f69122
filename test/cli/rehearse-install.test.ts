import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { missingForRehearsal } from "../../sdk/cli/commands/rehearse.ts";
import { EXIT_USAGE } from "../../sdk/cli/private/cli-error.ts";
import { tempDir } from "../support/temp-dir.ts";

/**
 * The error Node gives a module importing `specifier` where no node_modules has it (a Node
 * process in a temp folder: vitest's own resolver would find this repository's packages).
 */
function notFound(specifier: string): Error {
  const file = join(tempDir("stepflow-rehearse-install-"), "entry.mjs");
  writeFileSync(
    file,
    `await import(${JSON.stringify(specifier)}).then(() => console.log("{}"), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));\n`,
  );
  const { code, message } = JSON.parse(execFileSync(process.execPath, [file], { encoding: "utf8" })) as { code?: string; message?: string };
  expect(message, `${specifier} was found`).toBeDefined();
  return Object.assign(new Error(message), { code });
}

describe("stepflow rehearse without the packages stepflow does not install", () => {
  it.each([
    ["aws-cdk-lib/aws-s3", "aws-cdk-lib", "npm i -D aws-cdk-lib constructs"],
    ["constructs", "constructs", "npm i -D aws-cdk-lib constructs"],
    ["@cloud-copilot/iam-simulate", "@cloud-copilot/iam-simulate", "npm i -D @cloud-copilot/iam-simulate"],
  ])("names %s and the install when Node cannot find it", (specifier, name, install) => {
    const error = missingForRehearsal(notFound(specifier));
    expect(error?.message).toContain(`\`${name}\` is not installed`);
    expect(error?.message).toContain(install);
    expect(error?.exitCode).toBe(EXIT_USAGE);
  });

  it("leaves any other error as it is", () => {
    expect(missingForRehearsal(notFound("left-pad-not-installed"))).toBeUndefined();
    expect(missingForRehearsal(new Error("Cannot find package 'aws-cdk-lib'"))).toBeUndefined();
  });
});
