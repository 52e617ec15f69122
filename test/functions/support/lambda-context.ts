import type { Context } from "aws-lambda";

/** A Lambda invocation context as Lambda passes it to a handler (the fields Powertools and the entries read). */
export function lambdaContext(awsRequestId: string, functionName: string): Context {
  return {
    awsRequestId,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:1:function:${functionName}`,
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => 60_000,
  } as Context;
}
