/**
 * Regional STS failover, against two loopback fake regions: `npx tsx examples/regional-failover.ts`
 *
 * STS in the workload's region (eu-west-1) goes down for longer than the credentials live. With
 * AWSCREDS_STS_FAILOVER_REGIONS=eu-central-1 set in the deployment, awscreds fetches from eu-central-1's
 * STS meanwhile (credentials from any regional endpoint are valid in every region), logs the failover,
 * and goes back to eu-west-1 once it answers again. No credential resolution fails.
 *
 * Imports point at ../src so it runs from a checkout without a build.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
// In your code: from "awscreds" (and "awscreds/testing" below).
import { createRefresher, fromEnvGatedChain } from "../src/index.js";
import { startFakeAws } from "../src/testing/index.js";

const sts = { credentialLifetimeSeconds: 3 }; // short, so the outage outlives them
const [westFake, centralFake] = await Promise.all([startFakeAws({ region: "eu-west-1", sts }), startFakeAws({ region: "eu-central-1", sts })]);
try {
  Object.assign(process.env, {
    APP_ENV: "production",
    AWS_REGION: "eu-west-1",
    AWS_ROLE_ARN: `arn:aws:iam::${westFake.accountId}:role/orders-api`,
    AWS_WEB_IDENTITY_TOKEN_FILE: await westFake.writeWebIdentityToken(),
    AWSCREDS_STS_FAILOVER_REGIONS: "eu-central-1", // the one line a deployment adds
  });

  const log = (message: unknown): void => console.log(`  log: ${String(message)}`);
  const chain = fromEnvGatedChain({
    logger: { debug: () => undefined, info: log, warn: log, error: log },
    webIdentity: {
      // Only to reach the fakes: leave `endpoint` out on EKS (each region then gets sts.<region>.amazonaws.com).
      endpoint: (region) => (region === "eu-west-1" ? westFake.sts.endpoint : centralFake.sts.endpoint),
      failoverCooldownMs: 1_000, // default 30 s; short here so the example returns to eu-west-1 quickly
    },
  });
  const credentials = createRefresher(chain);
  await credentials.ready;

  const sqs = new SQSClient({ region: "eu-west-1", endpoint: westFake.sqs.endpoint, credentials });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
  // What every request does first: resolve credentials. (Counted here rather than sent: each fake region keeps
  // its own credential store, whereas in AWS credentials from any regional STS are valid in every region.)
  let resolved = 0;
  let failed = 0;
  const resolveFor = async (ms: number): Promise<void> => {
    for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      try {
        await sqs.config.credentials();
        resolved += 1;
      } catch {
        failed += 1;
      }
    }
  };

  console.log(`STS in eu-west-1 answers 503 for 7 s (credentials live ${sts.credentialLifetimeSeconds} s)…`);
  westFake.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 503, code: "ServiceUnavailable" });
  await resolveFor(7_000);
  console.log(`during the outage: ${resolved} credential resolutions, ${failed} failed; in use: ${credentials.status().sts?.endpointInUse}`);
  console.log(`calls to eu-west-1 STS: ${westFake.sts.count("AssumeRoleWithWebIdentity")}, to eu-central-1 STS: ${centralFake.sts.count("AssumeRoleWithWebIdentity")}`);

  console.log("eu-west-1 is back…");
  westFake.sts.faults.restore();
  for (const until = Date.now() + 15_000; credentials.status().sts?.regionInUse !== "eu-west-1" && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const status = credentials.status().sts!;
  console.log(`in use: ${status.endpointInUse} (failed over: ${status.failedOver})`);
  console.log(`breakers: ${status.endpoints.map((e) => `${e.region} ${e.breaker}`).join(", ")}`);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "after the outage" }));
  console.log(`SendMessage signed by ${westFake.sqs.calls.at(-1)?.accessKeyId}`);

  credentials.stop();
  sqs.destroy();
} finally {
  await Promise.all([westFake.close(), centralFake.close()]);
}
