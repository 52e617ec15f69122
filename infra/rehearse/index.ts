/**
 * `stepflow/rehearse`: deploy a flow stack into an emulated AWS account on this machine (moto
 * 5.2.1) and run flows there, with every Lambda running its real bundle and IAM evaluated.
 * Loaded only by `stepflow rehearse` and tests: it pulls in aws-cdk-lib and the AWS SDK.
 */
export { RehearsalAccessDeniedError, RehearsalDeployError, RehearsalSetupError } from "./errors.ts";
export type { RehearsalOptions, RehearsalRun } from "./rehearsal.ts";
export { Rehearsal } from "./rehearsal.ts";
