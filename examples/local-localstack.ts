/**
 * Local development with LocalStack, against the loopback fakes: `npx tsx examples/local-localstack.ts`
 *
 * Locally (APP_ENV is anything but a deployed environment) the chain uses AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY only — LocalStack's `test`/`test` included — and never ~/.aws or an instance role,
 * so a laptop cannot quietly run with someone's production profile. The fake SQS stands in for LocalStack
 * (which accepts `test`/`test`); with a real LocalStack, point `endpoint` at http://localhost:4566.
 *
 * Imports point at ../src so it runs from a checkout without a build.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
// In your code: from "awscreds" (and "awscreds/testing" below).
import { formatDescription, fromEnvGatedChain } from "../src/index.js";
import { startFakeAws } from "../src/testing/index.js";

const fake = await startFakeAws();
try {
  fake.registerStaticKeys({ accessKeyId: "test", secretAccessKey: "test" }); // what LocalStack accepts
  Object.assign(process.env, {
    APP_ENV: "local",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_PROFILE: "production", // set in many shells; ignored in local mode (see the note below)
  });
  delete process.env.AWS_SESSION_TOKEN;

  const credentials = fromEnvGatedChain();
  const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "local-orders" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello from a laptop" }));
  console.log(formatDescription(credentials.describe()));
  console.log(`signed with access key "${fake.sqs.calls.at(-1)?.accessKeyId}"`);

  // Without the keys, the error says exactly what to set — it never falls back to a profile.
  delete process.env.AWS_ACCESS_KEY_ID;
  await credentials().catch((error: Error) => console.log(`without keys: ${error.message.slice(0, 120)}…`));
  sqs.destroy();
} finally {
  await fake.close();
}
