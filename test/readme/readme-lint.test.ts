/**
 * The README's TypeScript snippets (the files of test/readme/app/, checked word for word by
 * readme.test.ts) lint clean with the repo's ESLint config, type-aware rules included.
 */
import { ESLint } from "eslint";
import { expect, it } from "vitest";
import { ROOT } from "../support/cli.ts";
import { SNIPPETS, snippetFile } from "./snippets.ts";

it("has snippets that lint clean with the repo's ESLint config", async () => {
  const results = await new ESLint({ cwd: ROOT }).lintFiles(SNIPPETS.map(snippetFile));
  expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`))).toStrictEqual([]);
  // Typed linting builds the TypeScript program of the whole repo (aws-cdk-lib's types
  // included): minutes when the machine is shared. A limit for a hung test, not a speed target.
}, 300_000);
