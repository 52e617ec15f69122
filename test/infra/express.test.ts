import { Annotations, Match } from "aws-cdk-lib/assertions";
import { describe, it } from "vitest";
import { loudExpress } from "./fixtures/express.ts";
import { synth } from "./support.ts";

describe("EXPRESS flows", () => {
  it("warn at synth that notifications need a STANDARD flow", () => {
    const { stack } = synth([loudExpress]);
    Annotations.fromStack(stack).hasWarning(
      "*",
      Match.stringLikeRegexp("flow `loud-express` is EXPRESS and asks for notifications.*make it STANDARD"),
    );
  });
});
