/**
 * Finds a flow's state machine ARN: an explicit ARN from the options, else the naming
 * `arn:aws:states:<region>:<account>:stateMachine:stepflow-<flow>` when the account is known,
 * else one `ListStateMachines` listing, cached for the client's life.
 */
import { ListStateMachinesCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { stateMachineName } from "../../core/deploy-names.ts";
import { FlowNotDeployedError } from "../errors.ts";
import type { StateMachineArns } from "../types.ts";
import { awsCall, type RetryPolicy, regionMissing } from "./aws-call.ts";


export interface StateMachineResolverOptions {
  readonly sfn: SFNClient;
  readonly retry: RetryPolicy;
  readonly region: () => Promise<string>;
  readonly accountId: string | undefined;
  readonly explicit: StateMachineArns | undefined;
  /** The stage the flows were deployed as (`FlowStack`'s `stage`). */
  readonly stage: string | undefined;
}

/** Returns `arnOf(flow)`; listings are shared by every lookup of one resolver. */
export function stateMachineResolver(o: StateMachineResolverOptions): (flow: string) => Promise<string> {
  let listing: Promise<Map<string, string>> | undefined;
  const list = () => {
    listing ??= listAll(o).catch((error: unknown) => {
      listing = undefined; // a failed listing is not cached
      throw error;
    });
    return listing;
  };
  return async (flow) => {
    const explicit =
      typeof o.explicit === "function"
        ? await o.explicit(flow)
        : o.explicit && Object.hasOwn(o.explicit, flow)
          ? o.explicit[flow]
          : undefined;
    if (explicit) return explicit;
    if (o.accountId) {
      const region = await o.region();
      return `arn:aws:states:${region}:${o.accountId}:stateMachine:${stateMachineName(flow, o.stage)}`;
    }
    const arn = (await list()).get(stateMachineName(flow, o.stage));
    if (!arn) {
      throw new FlowNotDeployedError(
        `flow \`${flow}\` is not deployed: no state machine \`${stateMachineName(flow, o.stage)}\` in region \`${await o.region()}\`; deploy it with \`npx cdk deploy\` (or set the client's \`region\`, or \`stateMachineArn\` when it is named differently)`,
      );
    }
    return arn;
  };
}

async function listAll(o: StateMachineResolverOptions): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const out = await awsCall(
      {
        action: "states:ListStateMachines",
        resource: "*",
        hint: "pass the client's `accountId` (or `stateMachineArn`) so no lookup is needed",
      },
      o.retry,
      () => o.sfn.send(new ListStateMachinesCommand({ nextToken, maxResults: 1000 })),
    );
    for (const m of out.stateMachines ?? [])
      if (m.name && m.stateMachineArn) arns.set(m.name, m.stateMachineArn);
    nextToken = out.nextToken;
  } while (nextToken);
  return arns;
}

/** The client's region, from its options or the SDK client's configuration. */
export function regionOf(sfn: SFNClient, region: string | undefined): () => Promise<string> {
  return async () => {
    if (region) return region;
    try {
      return await sfn.config.region();
    } catch (cause) {
      throw regionMissing(cause);
    }
  };
}
