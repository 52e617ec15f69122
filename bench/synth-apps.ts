/**
 * The CDK apps `bench/synth-scale.ts` compares with `cdk synth`, written to scratch files:
 * a FlowStack of one generated N-task flow, and a hand-written app with one `NodejsFunction` per
 * task. The hand-written peer does what a stepflow task Lambda does, the way a CDK user would
 * write it: validates its input with zod, logs with Powertools Logger, may read a secret, writes its
 * result to S3 and a history item to DynamoDB (AWS SDK v3 bundled, as stepflow bundles it), so both apps
 * bundle code of about the same size with the same esbuild, minified ESM for nodejs22.x on arm64.
 * NodejsFunction runs the project's `esbuild` package when one is installed, as here, through
 * `npx --no-install esbuild`, one process per function: that is CDK's own way, so the peer keeps it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateFlow } from "./big-flow.ts";

/** The account and region both apps synthesize for (no lookups). */
export const BENCH_ENV = { account: "123456789012", region: "eu-west-1" };

/** The shared module of the hand-written Lambdas: what stepflow's runtime does around a task. */
const HAND_RUNTIME = `import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";

const logger = new Logger();
const s3 = new S3Client({});
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const secrets = new SecretsManagerClient({});
const Input = z.object({ runId: z.string(), args: z.array(z.number()) });

export function wrap(name: string, fn: (...args: number[]) => Promise<number> | number) {
  return async (event: unknown) => {
    const { runId, args } = Input.parse(event);
    if (process.env.SECRET) await secrets.send(new GetSecretValueCommand({ SecretId: process.env.SECRET }));
    logger.info("task started", { task: name, runId });
    const value = await fn(...args);
    const key = \`runs/\${runId}/\${name}.json\`;
    await s3.send(new PutObjectCommand({ Bucket: process.env.RESULTS_BUCKET, Key: key, Body: JSON.stringify(value) }));
    await db.send(new PutCommand({ TableName: process.env.HISTORY_TABLE, Item: { pk: runId, sk: name, status: "SUCCEEDED" } }));
    return { key };
  };
}
`;

/** Writes the hand-written app of `n` tasks under `dir`; returns its entry file. */
export function handWrittenApp(dir: string, n: number): string {
  const src = join(dir, `hand-${n}`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, "runtime.ts"), HAND_RUNTIME);
  for (let i = 0; i < n; i++)
    writeFileSync(join(src, `t${i}.ts`), `import { wrap } from "./runtime.ts";\nexport const handler = wrap("t${i}", (x) => x + ${i});\n`);
  const app = join(dir, `hand-app-${n}.ts`);
  writeFileSync(
    app,
    `import { App, Stack } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
const app = new App();
const stack = new Stack(app, "Hand${n}", { env: ${JSON.stringify(BENCH_ENV)} });
for (let i = 0; i < ${n}; i++)
  new NodejsFunction(stack, \`T\${i}\`, {
    entry: \`${src}/t\${i}.ts\`,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    bundling: { format: OutputFormat.ESM, minify: true, target: "node22", mainFields: ["module", "main"] },
  });
`,
  );
  return app;
}

/** Writes the stepflow app of one `n`-task flow under `dir` (bundles to `bundleDir`); returns its entry file. */
export function stepflowApp(dir: string, n: number, bundleDir: string): string {
  const app = join(dir, `stepflow-app-${n}.ts`);
  writeFileSync(
    app,
    `import { App } from "aws-cdk-lib";
import { FlowStack } from "stepflow/cdk";
import { big } from ${JSON.stringify(generateFlow(dir, n))};
const app = new App();
new FlowStack(app, "Big${n}", { flows: [big], bundleDir: ${JSON.stringify(bundleDir)}, env: ${JSON.stringify(BENCH_ENV)} });
`,
  );
  return app;
}

/**
 * What CDK itself costs per task, with no bundling: per task a `lambda.Function` with its role
 * and one inline policy statement (3 resources, as a stepflow task), all running one prebuilt
 * asset directory (staged once), 150 tasks a stack. Writes it under `dir`; returns its entry file.
 */
export function floorApp(dir: string, n: number): string {
  const code = join(dir, "floor-code");
  mkdirSync(code, { recursive: true });
  writeFileSync(join(code, "index.mjs"), "export const handler = async (e) => e;\n");
  const app = join(dir, `floor-app-${n}.ts`);
  writeFileSync(
    app,
    `import { App, Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Function, Runtime } from "aws-cdk-lib/aws-lambda";
const app = new App();
// 150 tasks a stack (450 resources), as stepflow's nested stacks: CloudFormation allows 500.
const stacks = Array.from({ length: Math.ceil(${n} / 150) }, (_, k) => new Stack(app, \`Floor${n}-\${k}\`, { env: ${JSON.stringify(BENCH_ENV)} }));
for (let i = 0; i < ${n}; i++) {
  const fn = new Function(stacks[Math.floor(i / 150)], \`T\${i}\`, { runtime: Runtime.NODEJS_22_X, architecture: Architecture.ARM_64, handler: "index.handler", code: Code.fromAsset(${JSON.stringify(code)}) });
  fn.addToRolePolicy(new PolicyStatement({ actions: ["s3:GetObject"], resources: [\`arn:aws:s3:::results/runs/t\${i}/*\`] }));
}
`,
  );
  return app;
}
