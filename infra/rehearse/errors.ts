/**
 * Why a rehearsal failed before or around the run itself. A failed run is not an error: it is
 * the rehearsal's result, as with `stepflow run`.
 */
import { StepflowError } from "stepflow";

/** The machine cannot rehearse: python3 or moto 5.2.1 is missing. */
export class RehearsalSetupError extends StepflowError {
  override name = "RehearsalSetupError";
}

/** CloudFormation would not deploy the stack; the message has its reason per failed resource. */
export class RehearsalDeployError extends StepflowError {
  override name = "RehearsalDeployError";
}

/** IAM denied requests made during the rehearsal; the message names each action, resource and role. */
export class RehearsalAccessDeniedError extends StepflowError {
  override name = "AccessDenied";
  constructor(readonly denials: readonly string[]) {
    super(
      `IAM would deny ${denials.length} request${denials.length === 1 ? "" : "s"} of the deployed stack:\n${denials
        .map((d) => `  - ${d}`)
        .join("\n")}\ngrant each in the role's policy (infra/) or fix the resource the code uses`,
    );
  }
}
