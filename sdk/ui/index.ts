/** `stepflow ui`: a local web view of runs (list, graph, timeline, attempts), served on 127.0.0.1. */
export type { UiAppOptions } from "./app-server.ts";
export { createUiApp } from "./app-server.ts";
export type { LocalRunSourceOptions } from "./local-source.ts";
export { localRunSource } from "./local-source.ts";
export type { ServeUiOptions, UiServer } from "./serve.ts";
export { serveUi } from "./serve.ts";
export type { AttemptDetail, AttemptKey, AttemptView, RunFilter, RunSource, RunSummary, RunView } from "./types.ts";
