import "../../sdk/local/private/with-resolvers.ts";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { createTaskHandler, TaskTimeoutError } from "../../functions/index.ts";
import { task } from "../../sdk/define/task.ts";
import { NonRetriableError } from "../../sdk/core/errors.ts";
import type { TaskRequest } from "../../sdk/core/protocol.ts";
import type { RuntimeTask } from "../../sdk/core/runtime-task.ts";
import { memoryHistory, memoryResults, memorySecrets, quietLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";
import type { Json } from "../../sdk/core/json.ts";

class RateLimited extends Error {
  override name = "RateLimited";
}

let throwNext: unknown;
const boom = task("boom", () => {
  throw throwNext;
});
// `task()` rounds `timeout` up to whole seconds (AWS's unit); the runtime takes any RuntimeTask,
// so the timeout test waits 50 ms, not 1 s. It never settles: no timer is left behind.
const never = task("slow", () => new Promise(() => undefined));
const slow: RuntimeTask = { ...never, options: { ...never.options, timeoutSeconds: 0.05 } };

function setup() {
  const history = memoryHistory();
  const handle = createTaskHandler({
    tasks: { boom, slow },
    results: memoryResults(),
    history,
    secrets: memorySecrets({}),
    logger: quietLogger(),
  });
  return { handle, history };
}

describe("task errors", () => {
  it("rethrows a user error with its name and message", async () => {
    const { handle, history } = setup();
    throwNext = new RateLimited("coin `DOGE` is rate limited");
    const error = (await handle(request("boom")).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RateLimited");
    expect(error.message).toBe("coin `DOGE` is rate limited");
    expect(history.writes.at(-1)).toMatchObject({
      status: "FAILED",
      error: { name: "RateLimited", message: "coin `DOGE` is rate limited" },
    });
  });

  it("keeps NonRetriableError's name, which the compiled Retry matches, and adds nothing for a local engine", async () => {
    const { handle } = setup();
    throwNext = new NonRetriableError("coin `XYZ` does not exist");
    const error = (await handle(request("boom")).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe("NonRetriableError");
    // The runtime knows no engine: aws-local-stepfunctions' `isRetryable` flag is never set.
    expect("isRetryable" in error).toBe(false);
  });

  it("reports a NonRetriableError subclass with a name of its own as NonRetriableError, as AWS's Retry matches names", async () => {
    class CoinMissing extends NonRetriableError {
      override name = "CoinMissing";
    }
    const { handle, history } = setup();
    throwNext = new CoinMissing("coin `XYZ` does not exist");
    const error = (await handle(request("boom")).catch((e: unknown) => e)) as Error;
    expect([error.name, error.message]).toEqual(["NonRetriableError", "CoinMissing: coin `XYZ` does not exist"]);
    expect(history.writes.at(-1)).toMatchObject({ error: { name: "NonRetriableError", message: "CoinMissing: coin `XYZ` does not exist" } });
  });

  it("turns a thrown non-Error into a readable Error", async () => {
    const { handle } = setup();
    throwNext = { code: 42 };
    await expect(handle(request("boom"))).rejects.toThrow('a non-Error value was thrown: {"code":42}');
  });

  it("fails a task that outlives its timeout with a named timeout error", async () => {
    const { handle, history } = setup();
    const error = (await handle(request("slow")).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(error.name).toBe("TaskTimeoutError");
    expect(error.message).toMatch(
      /task `slow` \(state `slow`\) did not finish within its `timeout` of 0.05 seconds/,
    );
    expect(history.writes.at(-1)?.status).toBe("FAILED");
  });

  it("fails a request for a task it does not have, naming it", async () => {
    await expect(setup().handle(request("nope"))).rejects.toThrow(
      /asked for task `nope`, which this handler does not have/,
    );
  });
});

describe("errors as aws-local-stepfunctions sees them", () => {
  const definition = (errorEquals: string[]) => ({
    StartAt: "boom",
    States: {
      boom: {
        Type: "Task",
        Resource: "arn:aws:lambda:us-east-1:000000000000:function:boom",
        Parameters: { flow: "f", task: "boom", state: "boom", "run.$": "$$.Execution.Name", args: [] },
        Retry: [
          { ErrorEquals: ["NonRetriableError", "ReferenceError", "SyntaxError", "TypeError"], MaxAttempts: 0 },
          { ErrorEquals: errorEquals, MaxAttempts: 2 },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], Next: "caught" }],
        End: true,
      },
      caught: { Type: "Pass", End: true },
    },
  });

  async function runMachine(errorEquals: string[], thrown: Error) {
    const { handle } = setup();
    let attempts = 0;
    throwNext = thrown;
    const machine = new StateMachine(definition(errorEquals) as never);
    const execution = machine.run({}, {
      overrides: {
        taskResourceLocalHandlers: {
          boom: async (input: Json) => {
            attempts++;
            return (await handle(input as unknown as TaskRequest)) as unknown as Json;
          },
        },
        retryIntervalOverrides: { boom: 0 },
      },
      context: { Execution: { Name: "run-1" }, State: { RetryCount: 0 } },
    } as never);
    const output = (await execution.result) as { Error: string; Cause: string };
    return { attempts, output };
  }

  it("matches Retry.ErrorEquals on the user error's name and passes its message as the Cause", async () => {
    const { attempts, output } = await runMachine(["RateLimited"], new RateLimited("slow down"));
    expect(attempts).toBe(3);
    expect(output).toStrictEqual({ Error: "RateLimited", Cause: "slow down" });
  });

  it("does not retry a NonRetriableError, even under a States.ALL retrier", async () => {
    const { attempts, output } = await runMachine(["States.ALL"], new NonRetriableError("no such coin"));
    expect(attempts).toBe(1);
    expect(output.Error).toBe("NonRetriableError");
  });
});
