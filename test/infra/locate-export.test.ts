/**
 * `locateTask` reads a module the process already loaded (vitest's, in these tests) instead of
 * loading it again through tsx, and finds the task there by identity.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { locateTask, useLoadedModules } from "../../infra/private/locate-export.ts";
import type { GraphTask } from "../../sdk/graph/types.ts";
import { loadedByVitest } from "../support/loaded-modules.ts";
import * as fixture from "./fixtures/flows.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/flows.ts", import.meta.url));

describe("locateTask", () => {
  it("is handed the exports of the flow module this test imported, the very objects", () => {
    const exports = loadedByVitest(FIXTURE);
    expect(exports?.fetchPrices).toBe(fixture.fetchPrices);
    expect(locateTask(fixture.fetchPrices)).toStrictEqual({ file: FIXTURE, exportName: "fetchPrices" });
  });

  it("takes a loaded module's exports instead of importing the file, and names the export that is the task", () => {
    const file = "/nonexistent/flows.ts";
    const t = { site: `${file}:3`, taskName: "load", options: {}, fn: () => 1 } as unknown as GraphTask;
    const twin = { ...t };
    useLoadedModules((f) => (f === file ? { first: twin, second: t } : undefined));
    try {
      // `twin` has the same name and options: only identity tells `second` apart.
      expect(locateTask(t)).toStrictEqual({ file, exportName: "second" });
    } finally {
      useLoadedModules(loadedByVitest);
    }
  });

  it("finds the task in another instance of its module (as `cdk synth` loads it through tsx) by name and options", () => {
    const file = "/nonexistent/other-instance.ts";
    const t = { site: `${file}:3`, taskName: "load", options: { retries: 2 }, fn: () => 1 } as unknown as GraphTask;
    // The module's own instance: different objects, one with the same name but other options.
    const instance = (options: object) => Object.assign(() => 1, { site: t.site, taskName: "load", options, fn: () => 1 });
    const sameName = instance({ retries: 0 });
    const same = instance({ retries: 2 });
    useLoadedModules((f) => (f === file ? { quick: sameName, load: same } : undefined));
    try {
      expect(locateTask(t)).toStrictEqual({ file, exportName: "load" });
    } finally {
      useLoadedModules(loadedByVitest);
    }
  });
});
