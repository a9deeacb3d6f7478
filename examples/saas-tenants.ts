/**
 * A SaaS service that works in each customer's own AWS account, against the loopback fakes:
 * `npx tsx examples/saas-tenants.ts`
 *
 * Each tenant created a role in its account that trusts the service's account, with an ExternalId the
 * service gave it. `createAssumeRoleCache` serves every tenant's credentials from one cache: one AssumeRole
 * per tenant however many requests arrive at once, refreshed ahead of expiry while in use, STS calls kept
 * within a rate budget, and a misconfigured tenant (wrong ExternalId) explained once and then answered from
 * the cache instead of hammering STS.
 *
 * Imports point at ../src so it runs from a checkout without a build.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
// In your code: from "awscreds" (and "awscreds/testing" below).
import { createAssumeRoleCache, createRefresher } from "../src/index.js";
import { startFakeAws } from "../src/testing/index.js";

const fake = await startFakeAws();
try {
  // The service's own identity. In production: createRefresher(fromEnvGatedChain()) (IRSA, ECS task role...).
  const ownKeys = fake.registerStaticKeys({ arn: `arn:aws:iam::${fake.accountId}:user/billing-api` });
  const own = createRefresher(async () => ownKeys);

  // What each tenant set up in its own account (the fake STS plays their IAM).
  const tenants = [
    { id: "acme", roleArn: "arn:aws:iam::210987654321:role/billing-api-access", externalId: "acme-7f3k9q" },
    { id: "globex", roleArn: "arn:aws:iam::345678901234:role/billing-api-access", externalId: "globex-p2m8x" },
  ];
  for (const t of tenants) fake.sts.registerRole({ roleArn: t.roleArn, externalId: t.externalId, trustedPrincipals: [fake.accountId] });

  const roles = createAssumeRoleCache({
    source: own,
    serviceName: "billing-api", // session names: billing-api@acme, in the tenant's CloudTrail
    region: fake.region,
    endpoint: fake.sts.endpoint, // the fake; leave out in production (regional STS of AWS_REGION)
  });

  // Each tenant's queue is in its own account, where its role's credentials act (the fake SQS, like SQS,
  // keeps accounts apart). One client per tenant, as before; the cache makes its credentials cheap and safe.
  const queueUrlOf = (tenant: (typeof tenants)[number]): string => fake.sqs.createQueue("invoices", {}, tenant.roleArn.split(":")[4]);
  const clients = new Map<string, SQSClient>();
  const sqsFor = (tenant: (typeof tenants)[number]): SQSClient => {
    let client = clients.get(tenant.id);
    if (!client) {
      const credentials = roles.provider({ roleArn: tenant.roleArn, externalId: tenant.externalId, tenant: tenant.id });
      client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials });
      clients.set(tenant.id, client);
    }
    return client;
  };

  // 100 requests at once per tenant: one AssumeRole each.
  for (const tenant of tenants) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => sqsFor(tenant).send(new SendMessageCommand({ QueueUrl: queueUrlOf(tenant), MessageBody: `${tenant.id} invoice ${i}` }))));
    const issued = fake.sts.issued.filter((c) => c.roleArn === tenant.roleArn);
    console.log(`${tenant.id}: 100 requests, ${issued.length} AssumeRole, signed as ${issued[0]?.assumedRoleArn}`);
  }

  // A tenant that pasted the wrong ExternalId: a clear error, cached for negativeTtlMs.
  const broken = roles.provider({ roleArn: tenants[0]!.roleArn, externalId: "acme-typo", tenant: "acme-staging" });
  const error = await broken().catch((e: Error) => e);
  console.log(`wrong ExternalId: ${(error as Error).message}`);
  for (let i = 0; i < 20; i++) await broken().catch(() => undefined);

  const { hits, misses, coalesced, negativeHits, stsCalls, throttled, size } = roles.status({ entries: false });
  console.log(`cache: ${size} roles, ${stsCalls} STS calls, ${misses} misses, ${coalesced} coalesced, ${hits} hits, ${negativeHits} refusals from the cache, ${throttled} throttled`);

  for (const client of clients.values()) client.destroy();
  roles.stop();
  own.stop();
} finally {
  await fake.close();
}
