/**
 * `attach()` a swapper to a client another library built, against the loopback fakes:
 * `npx tsx examples/attach-client.ts`
 *
 * Some libraries construct their own SDK v3 client and only expose it afterwards. `attach(client)` re-points
 * that client's credentials at the swapper, so every later request — and every later swap — uses awscreds,
 * without the library's cooperation.
 *
 * Imports point at ../src so it runs from a checkout without a build.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
// In your code: from "awscreds" (and "awscreds/testing" below).
import { createSwapper, fromEnvGatedChain } from "../src/index.js";
import { startFakeAws } from "../src/testing/index.js";

/** Stands in for another team's package, which builds its client with the SDK's default credentials. */
function createOrdersPublisher(endpoint: string, region: string): { sqs: SQSClient; publish(queueUrl: string, body: string): Promise<void> } {
  const sqs = new SQSClient({ region, endpoint }); // no credentials given: the SDK default chain, if left alone
  return { sqs, publish: async (queueUrl, body) => void (await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }))) };
}

const fake = await startFakeAws();
try {
  const env = {
    APP_ENV: "production",
    AWS_REGION: fake.region,
    AWS_ROLE_ARN: `arn:aws:iam::${fake.accountId}:role/orders-publisher`,
    AWS_WEB_IDENTITY_TOKEN_FILE: await fake.writeWebIdentityToken(),
  };
  const credentials = createSwapper(() => fromEnvGatedChain({ env, webIdentity: { endpoint: fake.sts.endpoint } }));
  await credentials.ready;

  const publisher = createOrdersPublisher(fake.sqs.endpoint, fake.region);
  credentials.attach(publisher.sqs); // from now on the library's client signs with the swapper's credentials

  const { QueueUrl } = await publisher.sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
  await publisher.publish(QueueUrl!, "order 1");
  console.log("library's client signed with", fake.sqs.calls.at(-1)?.accessKeyId);

  await credentials.swap(); // e.g. on a schedule or after a config change
  await publisher.publish(QueueUrl!, "order 2");
  console.log("after swap() it signs with ", fake.sqs.calls.at(-1)?.accessKeyId);

  credentials.stop();
  publisher.sqs.destroy();
} finally {
  await fake.close();
}
