import { App } from "aws-cdk-lib";
import { FlowStack } from "stepflow/cdk";
import { toTheMoon } from "./flows/to-the-moon.ts";

new FlowStack(new App(), "Doge", { flows: [toTheMoon] });
