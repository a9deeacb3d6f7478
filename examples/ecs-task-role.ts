/**
 * ECS task role (and EKS Pod Identity), against the loopback fakes: `npx tsx examples/ecs-task-role.ts`
 *
 * On ECS the agent sets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI for a task with a task role; EKS Pod
 * Identity sets AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. The env-gated
 * chain uses the SDK's own container provider for both; here the full URI points at the fake endpoint.
 *
 * Imports point at ../src so it runs from a checkout without a build.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
// In your code: from "awscreds" (and "awscreds/testing" below).
import { createRefresher, formatDescription, fromEnvGatedChain } from "../src/index.js";
import { startFakeAws } from "../src/testing/index.js";

const fake = await startFakeAws({ region: "us-west-2" });
try {
  // A task without IRSA variables: web identity is skipped, the container endpoint is next.
  for (const name of ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]) delete process.env[name];
  Object.assign(process.env, {
    APP_ENV: "staging",
    AWS_REGION: "us-west-2",
    AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.container.authorizationToken,
  });

  const chain = fromEnvGatedChain();
  const credentials = createRefresher(chain);
  await credentials.ready;
  console.log(formatDescription(chain.describe()));

  const sqs = new SQSClient({ region: "us-west-2", endpoint: fake.sqs.endpoint, credentials });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "invoices" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "invoice 7" }));
  console.log(`sent with the task role's key ${fake.sqs.calls.at(-1)?.accessKeyId} (the container endpoint handed out ${fake.container.issuedAccessKeyIds.length})`);
  console.log("state:", credentials.status().state, "· expires:", credentials.status().expiration?.toISOString());

  credentials.stop();
  sqs.destroy();
} finally {
  await fake.close();
}
