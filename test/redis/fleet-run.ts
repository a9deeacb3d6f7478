/**
 * Starts a fleet of replica processes (fixtures/replica.ts): one per load, alternately on ioredis and
 * node-redis, each with its own tenants and start delay. Shared by the fleet tests and bench scenario 13.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import type { FakeAws } from "../../src/testing/index.js";
import { runNode, type NodeRun } from "../support/child-node.js";
import type { ReplicaPlan } from "./fixtures/replica.js";

/** What every run of a fleet shares: the fake, the keys that sign the replicas' AssumeRole, the replica script, redis. */
export interface FleetRig {
  fake: FakeAws;
  keys: AwsCredentialIdentity;
  /** The bundled replica script. */
  script: string;
  redisPort: number;
  /** STS's per-account rate limit on the fake for each run (its recorded calls are cleared first, so they are the run's). */
  quota: { requestsPerSecond: number; burst: number };
}

/** One run of the fleet. */
export interface FleetRun {
  /** Tenants per replica. */
  loads: readonly number[];
  /** Start delay per replica (ms). */
  startsMs: readonly number[];
  /** `[roleArn, externalId]` of tenant `n`; replica i gets the next `loads[i]` tenants from `firstTenant`. */
  tenant: (n: number) => [string, string];
  firstTenant: number;
  budget: Pick<ReplicaPlan, "budget" | "requestsPerSecond" | "burst" | "key" | "expectedReplicas" | "timeoutMs" | "settleMs">;
  killAfterMs: number;
}

/** Registers the roles of tenants `from` to `from + count - 1` on the fake STS, trusting the fleet's account. */
export function registerTenants(fake: FakeAws, tenant: (n: number) => [string, string], from: number, count: number): void {
  for (let n = from; n < from + count; n++) fake.sts.registerRole({ roleArn: tenant(n)[0], externalId: tenant(n)[1], trustedPrincipals: ["123456789012"] });
}

/** The replicas' runs, in order (each resolves when its process exits). */
export function startFleet(rig: FleetRig, init: FleetRun): Promise<NodeRun>[] {
  rig.fake.sts.clearCalls();
  rig.fake.sts.setRateLimit(rig.quota);
  let next = init.firstTenant;
  const env = { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  return init.loads.map((load, i) => {
    const plan: ReplicaPlan = {
      stsEndpoint: rig.fake.sts.endpoint,
      region: rig.fake.region,
      accessKeyId: rig.keys.accessKeyId,
      secretAccessKey: rig.keys.secretAccessKey,
      tenants: Array.from({ length: load }, () => init.tenant(next++)),
      redisPort: rig.redisPort,
      client: i % 2 === 0 ? "ioredis" : "node-redis",
      startDelayMs: init.startsMs[i]!,
      ...init.budget,
    };
    return runNode([rig.script, JSON.stringify(plan)], env, init.killAfterMs);
  });
}
