/**
 * stepflow/cdk: deploy flows with the AWS CDK.
 * @example
 * import { FlowStack } from "stepflow/cdk";
 * new FlowStack(app, "Doge", { flows: [toTheMoon] });
 */

export type { Bundle as TaskBundle } from "./bundle-info.ts";
export type { FlowConstructProps } from "./flow-construct.ts";
export { FlowConstruct } from "./flow-construct.ts";
export type { FlowStackProps } from "./flow-stack.ts";
export { FlowStack } from "./flow-stack.ts";
