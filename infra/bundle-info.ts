/** A built Lambda bundle (see `FlowConstruct.bundles`). */
export interface Bundle {
  /** Directory holding `index.mjs` (handler `index.handler`). */
  readonly dir: string;
  /** Size of `index.mjs` in bytes. */
  readonly bytes: number;
  /** Source files in the bundle, relative to the working directory. */
  readonly inputs: readonly string[];
}
