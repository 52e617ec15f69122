import type { Command } from "commander";
import { CliError } from "../private/cli-error.ts";
import type { CliIo } from "../private/io.ts";

/** `stepflow secret set <name>`: stores a secret's value, read from stdin, in Secrets Manager. */
export function secretCommand(program: Command, io: CliIo): void {
  const secret = program.command("secret").description("manage the secrets tasks read with `secret(name)`");
  secret
    .command("set")
    .description("store a secret's value (read from stdin, never from arguments) as `stepflow/<name>`")
    .argument("<name>", "the secret's name, as in `secret(name)`")
    .option("--region <region>", "AWS region of the flow stack (default: the SDK's, e.g. AWS_REGION)")
    .addHelpText("after", '\nExample:\n  printf %s "$WEBHOOK_URL" | stepflow secret set slack-webhook\n')
    .action(async (name: string, o: { readonly region?: string }) => {
      const stdin = io.stdin ?? process.stdin;
      if (stdin.isTTY) io.stderr.write(`value of secret \`${name}\` (end with Ctrl-D):\n`);
      // A trailing newline comes from `echo` or the terminal, not from the value.
      const value = (await readAll(stdin)).replace(/\r?\n$/, "");
      if (value === "") {
        throw new CliError(
          `no value for secret \`${name}\` on stdin; pipe it in, e.g. \`printf %s "$VALUE" | stepflow secret set ${name}\``,
        );
      }
      // Loaded on use: the AWS SDK would slow down the start-up of every command.
      const { StepflowClient } = await import("../../client/index.ts");
      const out = await new StepflowClient({ region: o.region }).setSecret(name, value);
      io.stdout.write(`${out.created ? "created" : "updated"} secret \`${out.secretId}\`\n`);
    });
}

/** The whole of `input` as UTF-8 text. */
async function readAll(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
