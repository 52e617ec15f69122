const INTERNAL = /[/\\](sdk[/\\]define|node_modules)[/\\]/;

/**
 * Where user code called into stepflow, as `path:line`: relative to the working directory when the
 * file is under it, absolute otherwise. (No `node:path`: task bundles import this module, and every
 * built-in module costs Lambda init time.)
 */
export function callSite(): string {
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  for (const line of stack) {
    const match = /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!match || INTERNAL.test(match[1]) || match[1].startsWith("node:")) continue;
    const file = match[1].replace(/^file:\/\//, "");
    return `${underCwd(file)}:${match[2]}`;
  }
  return "<unknown>";
}

function underCwd(file: string): string {
  const cwd = process.cwd();
  const sep = cwd.includes("\\") && !cwd.includes("/") ? "\\" : "/";
  const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}
