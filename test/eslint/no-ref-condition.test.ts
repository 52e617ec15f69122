/**
 * `stepflow/no-ref-condition` through ESLint's own RuleTester, with typed linting as a user
 * enables it (typescript-eslint's parser and a tsconfig), on a real flow file and variants of it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Linter, RuleTester } from "eslint";
import tseslint from "typescript-eslint";
import { describe, it } from "vitest";
import { noRefCondition, stepflowPlugin } from "../../sdk/eslint/index.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
RuleTester.describe = describe;
// The first case builds the TypeScript program of the fixture: seconds on a busy machine.
RuleTester.it = (name: string, fn: () => void) => it(name, fn, 300_000);

const tester = new RuleTester({
  languageOptions: {
    parser: tseslint.parser,
    // Under `CI=true` typescript-eslint builds one program from the files on disk ("single run")
    // and would lint the fixture as saved instead of each variant below.
    parserOptions: { project: "test/eslint/fixtures/tsconfig.json", tsconfigRootDir: ROOT, disallowAutomaticSingleRunInference: true },
  },
});

const filename = join(ROOT, "test/eslint/fixtures/flow-body.ts");
const real = readFileSync(filename, "utf8");
/** The fixture flow with `body` in place of its `return` line. */
const flowFile = (body: string) => real.replace(/ {2}return when\(big.*\n/, `  ${body}\n`);
const cases = (bodies: string[]) => bodies.map((body) => ({ code: flowFile(body), filename }));
const WHEN = /^`.+` is a stepflow `Ref`, a value that exists only when the flow runs, .* always truthy .*; branch on its value with `when\(.+, \(\) => \.\.\., \(\) => \.\.\.\)`, or pass it to a task$/;

describe("stepflow/no-ref-condition", () => {
  it("is the plugin's `no-ref-condition` rule", ({ expect }) => {
    expect(stepflowPlugin.rules?.["no-ref-condition"]).toBe(noRefCondition);
  });

  it("says how to enable type information when the config lacks it", ({ expect }) => {
    const untyped = [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser }, plugins: { stepflow: stepflowPlugin }, rules: { "stepflow/no-ref-condition": "error" as const } }];
    expect(() => new Linter().verify(real, untyped, filename)).toThrow(/rule `stepflow\/no-ref-condition` needs type information; .*`parserOptions: \{ projectService: true \}`/);
  });

  tester.run("no-ref-condition", noRefCondition, {
    valid: [
      { code: real, filename },
      ...cases([`when(loud, () => shout("loud"), () => shout("quiet"));`, `shout(maybe ? "a" : "b");`]),
    ],
    invalid: [
      { code: flowFile(`if (big) shout("big");`), filename, errors: [{ message: WHEN }] },
      { code: flowFile(`if (loud) shout("loud");`), filename, errors: [{ message: /^`loud` is a stepflow `Ref`.* as the condition of an `if` .*`when\(loud, / }] },
      { code: flowFile(`const s = big ? "big" : "small";`), filename, errors: [{ message: /as the condition of `\?:`.*`when\(big, / }] },
      { code: flowFile(`if (!big) shout("small");`), filename, errors: [{ message: /`big` .* as the operand of `!`/ }] },
      { code: flowFile(`if (n > 1 && big) shout("big");`), filename, errors: [{ message: WHEN }] },
      { code: flowFile(`big && shout("big");`), filename, errors: [{ message: /as the left side of `&&`/ }] },
      { code: flowFile(`while (big) break;`), filename, errors: [{ message: /as a loop condition/ }] },
    ],
  });
});
