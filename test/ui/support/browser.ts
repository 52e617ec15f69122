/** One headless Chromium per test file (Debian's `chromium`, installed by `.ci/run`), and screenshot checks. */
import { existsSync, readFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll } from "vitest";

/** Where `.ci/run` installs Debian's Chromium. */
export const CHROMIUM = process.env.STEPFLOW_CHROMIUM ?? "/usr/bin/chromium";

let browser: Promise<Browser> | undefined;
afterAll(async () => {
  await (await browser)?.close();
});

/** A new page in this file's browser (launched on first use, closed after the file's tests). */
export async function newPage(): Promise<Page> {
  if (!existsSync(CHROMIUM)) throw new Error(`the UI tests drive Chromium at \`${CHROMIUM}\`; install it with \`apt-get install -y chromium\` (.ci/run does)`);
  browser ??= chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await (await browser).newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (error) => {
    throw new Error(`the page threw: ${error.message}`);
  });
  return page;
}

/** How many distinct colours a PNG file has: a blank or failed render has one or two. */
export function distinctColours(file: string): number {
  const png = PNG.sync.read(readFileSync(file));
  const seen = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) seen.add(png.data.readUInt32BE(i));
  return seen.size;
}
