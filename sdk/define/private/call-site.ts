import { relative } from "node:path";

const INTERNAL = /[/\\](sdk[/\\]define|node_modules)[/\\]/;

/** Where user code called into stepflow, as `path:line` relative to the working directory. */
export function callSite(): string {
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  for (const line of stack) {
    const match = /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!match || INTERNAL.test(match[1]) || match[1].startsWith("node:")) continue;
    const file = match[1].replace(/^file:\/\//, "");
    return `${relative(process.cwd(), file) || file}:${match[2]}`;
  }
  return "<unknown>";
}
