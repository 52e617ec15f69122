import { describe, expect, it } from "vitest";
import { compile, UsageError } from "../../sdk/index.ts";
import { localSubstitutions, substitute } from "../../sdk/compile/substitute.ts";
import { hello } from "../../flows/hello.ts";

describe("substitute", () => {
  const compiled = compile(hello);

  it("puts every placeholder's value into the definition", () => {
    const text = JSON.stringify(substitute(compiled.definition, localSubstitutions(compiled)));
    expect(text).not.toMatch(/\$\{\w+\}/);
    expect(text).toContain(":function:stepflow-hello-greet");
  });

  it("throws a UsageError naming every placeholder left without a value, and the fix", () => {
    const { Task_greet: _greet, Task_shout: _shout, ...values } = localSubstitutions(compiled);
    const call = () => substitute(compiled.definition, values);
    expect(call).toThrow(UsageError);
    expect(call).toThrow(/no value for definition placeholder\(s\) `Task_greet`, `Task_shout`; pass one for each$/);
  });
});
