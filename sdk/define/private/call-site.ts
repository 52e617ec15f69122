const INTERNAL = /[/\\](sdk[/\\]define|node_modules)[/\\]/;

/**
 * Where user code called into stepflow, as `path:line`: relative to the working directory when the
 * file is under it, absolute otherwise. (No `node:path`: task bundles import this module, and every
 * built-in module costs Lambda init time.)
 */
export function callSite(): string {
  return siteOf(new Error().stack);
}

/**
 * The call site, read only when asked: captures the stack now (cheap) and formats it on the first
 * call. Formatting is what costs (each frame goes through the source-map support's
 * `prepareStackTrace` under tsx or `--enable-source-maps`), and a call's site is only read for an
 * error message, so a 1,000-call flow body no longer formats 1,000 stacks.
 */
export function lazyCallSite(): () => string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, lazyCallSite);
  let site: string | undefined;
  return () => (site ??= siteOf(holder.stack));
}

function siteOf(stack: string | undefined): string {
  for (const line of stack?.split("\n").slice(1) ?? []) {
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
