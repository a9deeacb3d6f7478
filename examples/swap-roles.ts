/**
 * Swapping roles at runtime with `createSwapper`, against the loopback fakes: `npx tsx examples/swap-roles.ts`
 *
 * A swapper rebuilds the whole provider (fresh STS client, re-read configuration) on its schedule or on
 * `swap()`, resolves it, and only then swaps it in; a client built once keeps working and its next request
 * uses the new identity. Here the role comes from a setting a config service could change at runtime.
 *
 * Imports point at ../src so it runs from a checkout without a build.
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
// In your code: from "awscreds" (and "awscreds/testing" below).
import { createSwapper, fromRegionalWebIdentity } from "../src/index.js";
import { startFakeAws } from "../src/testing/index.js";

const fake = await startFakeAws();
try {
  const tokenFile = await fake.writeWebIdentityToken();
  const settings = { role: `arn:aws:iam::${fake.accountId}:role/reports-reader` };

  const credentials = createSwapper(
    () =>
      fromRegionalWebIdentity({
        roleArn: settings.role, // read at each rebuild
        webIdentityTokenFile: tokenFile,
        region: fake.region,
        endpoint: fake.sts.endpoint, // the fake; leave out in production
      }),
    { onRefresh: (event) => console.log(`swapped in new credentials (${event.reason}) in ${event.durationMs} ms`) },
  );
  await credentials.ready;

  const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials });
  const whoami = async (): Promise<string | undefined> => (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  console.log("before:", await whoami());

  settings.role = `arn:aws:iam::${fake.accountId}:role/reports-writer`;
  await credentials.swap(); // rebuild now; a failed rebuild would keep the reader role
  console.log("after: ", await whoami());

  credentials.stop();
  sts.destroy();
} finally {
  await fake.close();
}
