/**
 * The README's `awscreds/testing` snippet, runnable: `npx tsx examples/testing-quickstart.ts`.
 * A refresher over regional web identity, against the loopback fake STS and SQS.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
// In your project: import { fromRegionalWebIdentity, createRefresher } from "awscreds";
import { createRefresher, fromRegionalWebIdentity } from "../src/index.js";
// In your project: import { startFakeAws } from "awscreds/testing";
import { startFakeAws } from "../src/testing/index.js";

await using fake = await startFakeAws({ sts: { credentialLifetimeSeconds: 5 } });
const credentials = createRefresher(
  fromRegionalWebIdentity({
    roleArn: "arn:aws:iam::123456789012:role/orders",
    webIdentityTokenFile: await fake.writeWebIdentityToken(),
    region: fake.region,
    endpoint: fake.sts.endpoint, // http:// is accepted on loopback
  }),
);
const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials });
const queueUrl = fake.sqs.createQueue("orders");
await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));

fake.sts.faults.failNext(3, { status: 503, code: "ServiceUnavailable" }); // STS outage
console.log("last SQS call signed by", fake.sqs.calls.at(-1)?.accessKeyId);
console.log("refresher status:", credentials.status().state);
credentials.stop();
