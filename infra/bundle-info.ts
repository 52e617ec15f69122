/** A built Lambda bundle (see `FlowConstruct.bundles`). */
export interface Bundle {
  /** Directory holding `index.mjs` (handler `index.handler`) and the chunks it loads. */
  readonly dir: string;
  /** Hash of every file in `dir` (its name too), given to CDK as the asset hash. */
  readonly assetHash: string;
  /** Size of all files in `dir` in bytes: what is deployed. */
  readonly bytes: number;
  /**
   * Size of what a cold start loads in bytes: `index.mjs` and the chunks it imports statically
   * (the AWS SDK clients are chunks imported on a task's first AWS call).
   */
  readonly initBytes: number;
  /** Source files in the bundle, relative to the working directory. */
  readonly inputs: readonly string[];
}
