/**
 * Starts a fleet of replica processes (fixtures/replica.ts): one per load, alternately on ioredis and
 * node-redis, each with its own tenants and start delay. Shared by the fleet tests and bench scenario 13.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import type { FakeAws } from "../../src/testing/index.js";
import { runNode, type NodeRun } from "../support/child-node.js";
import type { ReplicaPlan } from "./fixtures/replica.js";

export interface FleetInit {
  fake: FakeAws;
  keys: AwsCredentialIdentity;
  /** The bundled replica script. */
  script: string;
  redisPort: number;
  /** STS's per-account rate limit on the fake for this run (its recorded calls are cleared first, so they are this run's). */
  quota: { requestsPerSecond: number; burst: number };
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
export function startFleet(init: FleetInit): Promise<NodeRun>[] {
  init.fake.sts.clearCalls();
  init.fake.sts.setRateLimit(init.quota);
  let next = init.firstTenant;
  const env = { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  return init.loads.map((load, i) => {
    const plan: ReplicaPlan = {
      stsEndpoint: init.fake.sts.endpoint,
      region: init.fake.region,
      accessKeyId: init.keys.accessKeyId,
      secretAccessKey: init.keys.secretAccessKey,
      tenants: Array.from({ length: load }, () => init.tenant(next++)),
      redisPort: init.redisPort,
      client: i % 2 === 0 ? "ioredis" : "node-redis",
      startDelayMs: init.startsMs[i]!,
      ...init.budget,
    };
    return runNode([init.script, JSON.stringify(plan)], env, init.killAfterMs);
  });
}
