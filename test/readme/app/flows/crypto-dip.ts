// The README's snippets import the example flow as a reader's project has it, next to them.
export * from "../../../../flows/crypto-dip.ts";
