/**
 * cfn-lint (AWS's CloudFormation linter: resource schemas, ASL definitions, IAM policy
 * grammar) over the synthesized example template. Findings are failures except those named in
 * ACCEPTED, each with the reason it does not apply.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { App, NestedStack, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { flow } from "stepflow";
import { afterAll, describe, expect, it } from "vitest";
import { exampleFlows } from "../../infra/example-flows.ts";
import { detectDip, fetchPrices, post } from "./fixtures/flows.ts";
import { nestedTasksStack, synth } from "./support.ts";

const VERSION = "1.51";
const skip = process.env.STEPFLOW_SKIP_CFN_LINT === "1";

interface Finding {
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Location: { readonly Path: readonly (string | number)[] };
}

/** Findings that are not defects, each with why. */
const ACCEPTED: readonly { readonly rule: string; readonly why: string; readonly applies: (f: Finding) => boolean }[] = [
  {
    rule: "E3601",
    why: "cfn-lint 1.51's ASL schema lacks OutputPath on Succeed states, which the States Language allows (a known false positive)",
    applies: (f) => /'OutputPath' was unexpected/.test(f.Message),
  },
  {
    rule: "W3005",
    why: "aws-cdk-lib adds DependsOn on a role's default policy next to the GetAtt of the role, so the function waits for its permissions; redundant for the role itself, harmless",
    applies: (f) => f.Location.Path.includes("DependsOn"),
  },
];

const dir = mkdtempSync(join(tmpdir(), "stepflow-cfn-lint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cfnLint(file: string): Promise<Finding[]> {
  try {
    const { stdout } = await promisify(execFile)("cfn-lint", ["--version"]);
    if (!stdout.includes(VERSION)) throw new Error(`cfn-lint ${stdout.trim()} is not ${VERSION}`);
  } catch (cause) {
    throw new Error(
      `cfn-lint ${VERSION} is needed to lint the synthesized template: install it with \`pip install cfn-lint==1.51.0\`, or set STEPFLOW_SKIP_CFN_LINT=1 to skip this test (${(cause as Error).message})`,
      { cause },
    );
  }
  // cfn-lint exits non-zero when it finds anything; its JSON report is on stdout either way.
  const run = await promisify(execFile)("cfn-lint", ["--format", "json", file], { maxBuffer: 16 * 1024 * 1024 }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? "[]" }),
  );
  return JSON.parse(run.stdout || "[]") as Finding[];
}

describe.skipIf(skip)("cfn-lint over the example template", () => {
  it("reports nothing beyond the accepted, justified findings", { timeout: 300_000 }, async () => {
    const file = join(dir, "template.json");
    writeFileSync(file, JSON.stringify(synth(exampleFlows, { env: undefined }).template.toJSON()));
    const findings = await cfnLint(file);
    const unexpected = findings.filter((f) => !ACCEPTED.some((a) => a.rule === f.Rule.Id && a.applies(f)));
    expect(unexpected.map((f) => `${f.Rule.Id} ${f.Location.Path.join("/")}: ${f.Message}`)).toEqual([]);
    // The accepted rules did fire, so this test really ran the linter on the template.
    expect(new Set(findings.map((f) => f.Rule.Id))).toContain("E3601");
  });
});

describe.skipIf(skip)("cfn-lint over task Lambdas in nested stacks", () => {
  // aws-cdk-lib validates only top-level templates, and a big flow's task Lambdas go to nested stacks
  // (FlowStack nests past its resource budget): lint each nested template as CloudFormation reads it.
  it("reports nothing in the parent or any nested template", { timeout: 300_000 }, async () => {
    const demo = flow("nested-lint", () => {
      detectDip(fetchPrices("DOGE"), 1);
      post("hook", "text");
    });
    const { stack, construct } = nestedTasksStack(new App(), "NestLint", demo);
    const nested = [...new Set([...construct.functions.values()].map((f) => Stack.of(f)))];
    expect(nested.every((s) => s instanceof NestedStack)).toBe(true);
    expect(nested).toHaveLength(2);
    const templates = [stack, ...nested].map((s, i) => {
      const file = join(dir, `nested-${i}.json`);
      writeFileSync(file, JSON.stringify(Template.fromStack(s).toJSON()));
      return file;
    });
    for (const file of templates) {
      const findings = await cfnLint(file);
      const unexpected = findings.filter((f) => !ACCEPTED.some((a) => a.rule === f.Rule.Id && a.applies(f)));
      expect(unexpected.map((f) => `${file}: ${f.Rule.Id} ${f.Location.Path.join("/")}: ${f.Message}`)).toEqual([]);
    }
    // The nested templates hold the task Lambdas, roles and policies the linter checked.
    const nestedTypes = nested.flatMap((s) => Object.values(Template.fromStack(s).toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type));
    expect(nestedTypes.filter((t) => t === "AWS::Lambda::Function")).toHaveLength(3);
    expect(nestedTypes).toContain("AWS::IAM::Policy");
  });
});
