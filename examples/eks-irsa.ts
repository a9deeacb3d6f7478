/**
 * EKS with IRSA, against the loopback fakes: `npx tsx examples/eks-irsa.ts`
 *
 * On EKS, annotating the pod's service account with `eks.amazonaws.com/role-arn` makes the IRSA webhook set
 * AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (and the kubelet project the token); you set APP_ENV and
 * AWS_REGION in the deployment. The service code is the same on a laptop (APP_ENV=local) and in the pod.
 *
 * Imports point at ../src so it runs from a checkout without a build.
 */
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
// In your code: from "awscreds" (and "awscreds/testing" below).
import { createRefresher, formatDescription, fromEnvGatedChain } from "../src/index.js";
import { startFakeAws } from "../src/testing/index.js";

const fake = await startFakeAws({ region: "eu-west-1", sts: { credentialLifetimeSeconds: 900 } });
try {
  // What the pod spec and the IRSA webhook provide (here pointing at the fake's token file).
  Object.assign(process.env, {
    APP_ENV: "production",
    AWS_REGION: "eu-west-1",
    AWS_ROLE_ARN: `arn:aws:iam::${fake.accountId}:role/orders-api`,
    AWS_WEB_IDENTITY_TOKEN_FILE: await fake.writeWebIdentityToken({ claims: { sub: "system:serviceaccount:orders:orders-api" } }),
    KUBERNETES_SERVICE_HOST: "10.100.0.1",
  });

  // The service's credentials: web identity against sts.eu-west-1.amazonaws.com, refreshed in the
  // background. `endpoint` only points STS at the fake; leave it out on EKS.
  const chain = fromEnvGatedChain({ webIdentity: { endpoint: fake.sts.endpoint } });
  const credentials = createRefresher(chain, {
    onRefresh: (event) => console.log(`refreshed (${event.reason}) in ${event.durationMs} ms; expires ${event.expiration?.toISOString()}`),
  });
  await credentials.ready; // fail fast at startup (and a natural readiness probe)
  console.log(formatDescription(chain.describe()));

  const sqs = new SQSClient({ region: "eu-west-1", endpoint: fake.sqs.endpoint, credentials });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ order: 42 }) }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  console.log(`received ${Messages?.length ?? 0} message(s), signed by ${fake.sqs.calls.at(-1)?.accessKeyId}`);
  console.log("status for /ready:", JSON.stringify(credentials.status()));

  credentials.stop();
  sqs.destroy();
} finally {
  await fake.close();
}
