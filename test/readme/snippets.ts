import { ROOT } from "../support/cli.ts";

/** The README's ```ts blocks, in order, as the files of test/readme/app/ they are. */
export const SNIPPETS = ["flows/to-the-moon.ts", "cdk-app.ts", "start-runs.ts", "test/crypto-dip.test.ts"];

/** The path of a snippet's file. */
export const snippetFile = (snippet: string) => `${ROOT}/test/readme/app/${snippet}`;
