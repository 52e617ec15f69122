/**
 * Names that do not collide (two stages in one account, a redeploy after destroy) and a
 * status-change rule that selects exactly its stage's state machines at any number of flows.
 */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { flow } from "stepflow";
import { FlowStack } from "stepflow/cdk";
import { describe, expect, it } from "vitest";
import { RoleSimulator } from "../../infra/rehearse/iam.ts";
import { type CfnTemplate, Resolver } from "../../infra/rehearse/intrinsics.ts";
import { stateMachineName } from "../../sdk/core/deploy-names.ts";
import { toTheMoon } from "./fixtures/flows.ts";
import { ping } from "./fixtures/express.ts";
import { synth } from "./support.ts";

const ENV = { account: "123456789012", region: "eu-west-1", stackName: "Test" };


/** EventBridge's matching for the pattern forms the stack uses: exact values and `prefix`. */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((p) =>
      p !== null && typeof p === "object" && "prefix" in p
        ? typeof event === "string" && event.startsWith(String((p as { prefix: string }).prefix))
        : p === event,
    );
  }
  const e = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern as Record<string, unknown>).every(([k, p]) => matches(p, e[k]));
}

/** The status rule's event pattern of a synthesized stack, as deployed (intrinsics resolved). */
function statusPattern(template: CfnTemplate): unknown {
  const r = new Resolver(template, ENV);
  const [id] = Object.entries(template.Resources).find(
    ([, x]) => x.Type === "AWS::Events::Rule" && x.Properties?.EventPattern !== undefined,
  )!;
  return r.properties(id).EventPattern;
}

const statusEvent = (machine: string) => ({
  source: "aws.states",
  "detail-type": "Step Functions Execution Status Change",
  detail: { stateMachineArn: `arn:aws:states:${ENV.region}:${ENV.account}:stateMachine:${machine}`, status: "FAILED" },
});

describe("stages", () => {
  const plain = synth([toTheMoon]);
  const dev = synth([toTheMoon], { stage: "dev" });
  const devTemplate = dev.template.toJSON() as CfnTemplate;

  it("prefixes state machine and secret names with the stage, and leaves them unchanged without one", () => {
    expect(plain.stack.flows.get("to-the-moon")!.stateMachineName).toBe("stepflow-to-the-moon");
    expect(dev.stack.flows.get("to-the-moon")!.stateMachineName).toBe("dev-stepflow-to-the-moon");
    dev.template.hasResourceProperties("AWS::StepFunctions::StateMachine", { StateMachineName: "dev-stepflow-lookup" });
    const fn = new Resolver(devTemplate, ENV).properties(dev.id(dev.stack.flows.get("to-the-moon")!.functions.get("post")!));
    expect((fn.Environment as { Variables: Record<string, string> }).Variables.STEPFLOW_SECRET_PREFIX).toBe("dev-stepflow/");
  });

  it("grants a stage's tasks its own secrets only, by name whenever `stepflow secret set` creates them", async () => {
    const iam = RoleSimulator.fromTemplate(devTemplate, ENV);
    const role = dev.id(dev.stack.flows.get("to-the-moon")!.functions.get("post")!.role!);
    const read = (name: string) =>
      iam.check(role, {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:${ENV.region}:${ENV.account}:secret:${name}-Xy12Zq`,
      });
    expect((await read("dev-stepflow/slack-webhook")).allowed).toBe(true);
    expect((await read("stepflow/slack-webhook")).allowed).toBe(false);
    expect((await read("prod-stepflow/slack-webhook")).allowed).toBe(false);
    expect(Object.values(devTemplate.Resources).some((x) => x.Type === "AWS::SecretsManager::Secret")).toBe(false);
  });

  it("routes status changes of its own stage's machines only", () => {
    const plainPattern = statusPattern(plain.template.toJSON() as CfnTemplate);
    const devPattern = statusPattern(devTemplate);
    expect(matches(plainPattern, statusEvent("stepflow-to-the-moon"))).toBe(true);
    expect(matches(plainPattern, statusEvent("dev-stepflow-to-the-moon"))).toBe(false);
    expect(matches(plainPattern, statusEvent("someone-elses-machine"))).toBe(false);
    expect(matches(devPattern, statusEvent("dev-stepflow-lookup"))).toBe(true);
    expect(matches(devPattern, statusEvent("stepflow-lookup"))).toBe(false);
    expect(matches(devPattern, statusEvent("devx-stepflow-lookup"))).toBe(false);
    expect(matches(devPattern, { ...statusEvent("dev-stepflow-lookup"), source: "aws.lambda" })).toBe(false);
  });

  it.each([["dev-1"], ["stepflow"], [""], ["a".repeat(21)]])("rejects stage %j, saying what a stage may hold", (stage) => {
    expect(() => stateMachineName("x", stage)).toThrow(/stage `.*` is not allowed; use 1-20 letters or digits/);
  });

  it("rejects a state machine name over Step Functions' 80 characters", () => {
    expect(() => stateMachineName("f".repeat(65), "production")).toThrow(/is 85 characters, over Step Functions' 80/);
  });
});

describe("the status-change rule at 100 flows", () => {
  const flows = Array.from({ length: 100 }, (_, i) => flow(`flow-number-${String(i).padStart(3, "0")}`, () => ping()));
  // 100 flows pass CloudFormation's 500 resources per stack today (8 per one-task flow); the
  // limit check is lifted here because this test is about the rule alone.
  const app = new App({ context: { "@aws-cdk/core:stackResourceLimit": 0 } });
  const stack = new FlowStack(app, "Test", { flows, env: { account: ENV.account, region: ENV.region } });
  const pattern = statusPattern(Template.fromStack(stack).toJSON() as CfnTemplate);

  it("keeps the event pattern under EventBridge's 2,048 characters and matches every flow's machine", () => {
    expect(JSON.stringify(pattern).length).toBeLessThan(2048);
    for (const f of flows) expect(matches(pattern, statusEvent(stateMachineName(f.flowName))), f.flowName).toBe(true);
  });
});
