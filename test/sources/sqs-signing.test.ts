/**
 * The providers as `credentials` of a real SQSClient: the fake SQS verifies SigV4 against what the fake
 * STS (or the environment) issued, so a passing call proves the client signed with exactly those keys.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { fromRegionalWebIdentity } from "../../src/sources/web-identity.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "./support/env.js";

let fake: FakeAws;
let queueUrl: string;
let restoreEnv: () => void;
const clients: SQSClient[] = [];

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
  queueUrl = fake.sqs.createQueue("orders");
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  restoreEnv = isolateEnv();
  fake.sqs.clearCalls();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  restoreEnv();
});

function sqs(credentials: AwsCredentialIdentityProvider): SQSClient {
  const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials });
  clients.push(client);
  return client;
}

describe("signing with the sources' credentials", () => {
  it("fromRegionalWebIdentity: SQS calls are signed with the keys the fake STS issued", async () => {
    const tokenFile = await fake.writeWebIdentityToken();
    const credentials = fromRegionalWebIdentity({
      env: { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/orders", AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "eu-west-1" },
      endpoint: fake.sts.endpoint,
    });
    try {
      const client = sqs(credentials);
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));
      await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }));

      const issued = fake.sts.issued.at(-1)!;
      expect(fake.sqs.calls.map((c) => [c.action, c.status, c.accessKeyId])).toEqual([
        ["SendMessage", 200, issued.accessKeyId],
        ["GetQueueAttributes", 200, issued.accessKeyId],
      ]);
    } finally {
      credentials.destroy();
    }
  });

  it("fromEnvGatedChain in deployed mode (container endpoint): signed with the container's keys", async () => {
    const credentials = fromEnvGatedChain({
      env: {
        APP_ENV: "staging",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.container.authorizationToken,
      },
    });
    await sqs(credentials).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));
    const call = fake.sqs.calls.at(-1)!;
    expect(call.status).toBe(200);
    expect(fake.container.issuedAccessKeyIds).toContain(call.accessKeyId);
  });

  it("fromEnvGatedChain in local mode (LocalStack-style keys): signed with the environment keys", async () => {
    const keys = fake.registerStaticKeys();
    const credentials = fromEnvGatedChain({ env: { APP_ENV: "local", AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    await sqs(credentials).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));
    expect(fake.sqs.calls.at(-1)).toMatchObject({ status: 200, accessKeyId: keys.accessKeyId });
  });
});
