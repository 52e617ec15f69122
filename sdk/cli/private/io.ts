/** The streams the CLI reads from and writes to (injectable for tests). */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /**
   * Where commands read input from (`secret set` reads the secret's value here, never from
   * arguments).
   * @default process.stdin
   */
  readonly stdin?: AsyncIterable<string | Uint8Array> & { readonly isTTY?: boolean };
}
