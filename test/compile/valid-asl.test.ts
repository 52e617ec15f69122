/**
 * The ASL check compiler tests rely on (test/support/stand-in-run.ts): asl-validator, with its
 * schema compiled once per process (test/support/shared-ajv.ts), still rejects each invalid
 * definition, call after call, in the tests' validator and in the local engine's.
 */
import validator from "asl-validator";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { compile } from "../../sdk/index.ts";
import type { StateMachineDefinition } from "../../sdk/compile/asl.ts";
import { etl } from "../../flows/etl.ts";
import { withOwnAjv, withSharedAjv } from "../support/shared-ajv.ts";
import { assertValidAsl } from "../support/stand-in-run.ts";

const valid = compile(etl).definition;
/** `valid` with one state's InputPath made an invalid JSONPath. */
function badPath(): StateMachineDefinition {
  const d = structuredClone(valid);
  (d.States[d.StartAt] as { InputPath?: string }).InputPath = "$..[oops";
  return d;
}
/** `valid` with its start state gone. */
function noStart(): StateMachineDefinition {
  return { ...structuredClone(valid), StartAt: "nowhere" };
}

describe("the shared-schema ASL check", () => {
  it("passes a valid definition and rejects invalid ones, in any order", () => {
    for (let i = 0; i < 2; i++) {
      expect(() => assertValidAsl(valid)).not.toThrow();
      expect(() => assertValidAsl(badPath())).toThrow(/invalid ASL: [^]*InputPath/);
      expect(() => assertValidAsl(noStart())).toThrow(/invalid ASL: [^]*nowhere/);
    }
  });

  it("finds what asl-validator on its own finds", () => {
    const check = (d: StateMachineDefinition) => {
      const { isValid, errorsText } = validator(structuredClone(d));
      return { isValid, errors: errorsText("\n") };
    };
    // Each unshared call compiles the schema anew: two are enough to compare.
    for (const d of [badPath(), noStart()]) expect(withSharedAjv(() => check(d))).toStrictEqual(withOwnAjv(() => check(d)));
  });

  it("leaves the local engine's own check (its asl-validator) as strict", () => {
    expect(() => withOwnAjv(() => new StateMachine(badPath() as never))).toThrow(/definition is invalid/);
    for (let i = 0; i < 2; i++) {
      expect(() => withSharedAjv(() => new StateMachine(valid as never))).not.toThrow();
      expect(() => withSharedAjv(() => new StateMachine(badPath() as never))).toThrow(/definition is invalid/);
    }
  });
});
