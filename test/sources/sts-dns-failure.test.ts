/**
 * A region that makes an STS hostname that does not resolve (`eu-west-99`): the error names the host and
 * says to check the region, even when the resolver's own error is a bare `ENOTFOUND` (a custom lookup, a DNS
 * cache). The lookup is the test's own: nothing leaves the machine, nothing is resolved for real.
 */
import { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { fromRegionalWebIdentity } from "../../src/sources/web-identity.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv, rejection } from "./support/env.js";

let fake: FakeAws;
let tokenFile: string;
let restoreEnv: () => void;

beforeAll(async () => {
  fake = await startFakeAws();
  tokenFile = await fake.writeWebIdentityToken();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  restoreEnv = isolateEnv();
});
afterEach(() => restoreEnv());

function failingAgent(code: string, lookups: string[]): HttpsAgent {
  // As a DNS cache or proxy library may fail: the code, and a message that does not name the host.
  const lookup = ((hostname: string, _options: unknown, callback: (error: Error) => void) => {
    lookups.push(hostname);
    callback(Object.assign(new Error(code), { code }));
  }) as unknown as LookupFunction;
  return new HttpsAgent({ lookup });
}

it("an STS host that does not resolve: the error names the host and the region to check", async () => {
  const lookups: string[] = [];
  const agent = failingAgent("ENOTFOUND", lookups);
  const provider = fromRegionalWebIdentity({
    roleArn: "arn:aws:iam::123456789012:role/orders",
    webIdentityTokenFile: tokenFile,
    region: "eu-west-99",
    clientConfig: { requestHandler: { httpsAgent: agent } },
  });
  try {
    const error = await rejection(() => provider());
    expect(lookups[0]).toBe("sts.eu-west-99.amazonaws.com");
    expect(error.message).toContain("The STS host sts.eu-west-99.amazonaws.com did not resolve (ENOTFOUND)");
    expect(error.message).toContain('Check the region "eu-west-99"');
    expect(error.message).toContain("awscreds doctor warns about regions the AWS SDK does not know");
    expect(fake.sts.calls).toEqual([]);
  } finally {
    provider.destroy();
    agent.destroy();
  }
});
