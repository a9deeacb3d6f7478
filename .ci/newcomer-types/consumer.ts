// A consumer's code, type-checked by .ci/newcomer under moduleResolution node10 (as consumer.ts, CommonJS),
// node16 (as consumer.cts and consumer.mts) and bundler: every subpath resolves, with real types.
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { createRefresher, formatDescription, fromEnvGatedChain, fromRegionalWebIdentity } from "awscreds";
import { consume, createLongPollingClient } from "awscreds/sqs";
import { createRedisStsBudget, type RedisClientLike } from "awscreds/redis";
import type { StsBudget } from "awscreds";
import { startFakeAws, type FakeAws } from "awscreds/testing";

const chain = fromEnvGatedChain({ appEnv: "local" });
const credentials: AwsCredentialIdentityProvider = createRefresher(chain);
export const text: string = formatDescription(chain.describe());
const sqs = new SQSClient({ credentials });
const poller: SQSClient = createLongPollingClient(sqs);

export async function main(): Promise<void> {
  const fake: FakeAws = await startFakeAws();
  const irsa = fromRegionalWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/x", webIdentityTokenFile: await fake.writeWebIdentityToken(), region: fake.region, endpoint: fake.sts.endpoint });
  const handle = consume({ client: sqs, pollingClient: poller, queueUrl: fake.sqs.createQueue("q"), handler: async () => undefined });
  await handle.stop();
  irsa.destroy();
  await fake.close();
}

// The app's Redis client (ioredis or node-redis), as the shared STS budget takes it.
export function fleetBudget(client: RedisClientLike): StsBudget {
  return createRedisStsBudget({ client, requestsPerSecond: 100 });
}

// The types are real, not `any`: a wrong argument is an error (and an unused expectation would be one too).
// @ts-expect-error appEnv is a string
fromEnvGatedChain({ appEnv: 42 });
// @ts-expect-error requestsPerSecond is required
createRedisStsBudget({ client: {} as RedisClientLike });
