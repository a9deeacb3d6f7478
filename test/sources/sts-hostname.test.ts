/**
 * End to end: the STS client really connects to `sts.<region>.<partition suffix>`. The fake STS serves TLS
 * with a certificate from a test CA for the real hostnames; an agent resolves them to 127.0.0.1 through its
 * `lookup` and connects to the fake's port. Certificate checks stay on, so the SNI, the Host header and the
 * certificate all have to match the regional hostname.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/shared/logger.js";
import { fromRegionalWebIdentity, type RegionalWebIdentityProvider } from "../../src/sources/web-identity.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv, rejection } from "./support/env.js";
import { makeTestPki, routingAgent, type RoutingAgent, type TestPki } from "./support/tls.js";

const HOSTS = ["sts.eu-west-1.amazonaws.com", "sts.us-east-1.amazonaws.com", "sts.cn-north-1.amazonaws.com.cn"];

let pki: TestPki;
let fake: FakeAws;
let port: number;
let tokenFile: string;
let restoreEnv: () => void;
let routing: RoutingAgent;
const providers: RegionalWebIdentityProvider[] = [];

beforeAll(async () => {
  pki = await makeTestPki(HOSTS);
  fake = await startFakeAws({ sts: { tls: { key: pki.key, cert: pki.cert } } });
  port = Number(new URL(fake.sts.endpoint).port);
  tokenFile = await fake.writeWebIdentityToken();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  restoreEnv = isolateEnv();
  fake.sts.clearCalls();
  routing = routingAgent({ caCert: pki.caCert, port });
});

afterEach(() => {
  for (const provider of providers.splice(0)) provider.destroy();
  routing.agent.destroy();
  restoreEnv();
});

function provider(region: string, env: Record<string, string> = {}, roleArn = "arn:aws:iam::123456789012:role/orders", logger?: Logger): RegionalWebIdentityProvider {
  const p = fromRegionalWebIdentity({
    logger,
    env: { AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: region, ...env },
    clientConfig: { requestHandler: { httpsAgent: routing.agent } },
  });
  providers.push(p);
  return p;
}

describe("the STS hostname the client connects to", () => {
  it("is sts.eu-west-1.amazonaws.com in eu-west-1, whatever the calling client's region and AWS_ENDPOINT_URL_STS", async () => {
    process.env.AWS_ENDPOINT_URL_STS = "http://127.0.0.1:9";
    const warnings: unknown[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: unknown) => warnings.push(message), error: () => undefined };
    const p = provider("eu-west-1", { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9" }, undefined, logger);
    const credentials = await p({ callerClientConfig: { region: async () => "ap-southeast-2" } });
    expect(warnings).toEqual([
      "awscreds: AWS_ENDPOINT_URL_STS is set but ignored by the web identity provider; calling https://sts.eu-west-1.amazonaws.com. Pass the endpoint option to use a custom endpoint.",
    ]);

    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(routing.lookups).toEqual(["sts.eu-west-1.amazonaws.com"]);
    expect(routing.servernames).toEqual(["sts.eu-west-1.amazonaws.com"]);
    const call = fake.sts.calls.at(-1)!;
    expect(call.action).toBe("AssumeRoleWithWebIdentity");
    expect(call.host).toBe("sts.eu-west-1.amazonaws.com");
    expect(call.details.sni).toBe("sts.eu-west-1.amazonaws.com");
    expect(p.describe().endpoint).toBe("https://sts.eu-west-1.amazonaws.com");
  });

  it("is sts.us-east-1.amazonaws.com in us-east-1 with AWS_STS_REGIONAL_ENDPOINTS=legacy (never the global sts.amazonaws.com)", async () => {
    process.env.AWS_STS_REGIONAL_ENDPOINTS = "legacy";
    await provider("us-east-1", { AWS_STS_REGIONAL_ENDPOINTS: "legacy" })();

    expect(routing.lookups).toEqual(["sts.us-east-1.amazonaws.com"]);
    expect(fake.sts.calls.at(-1)!.host).toBe("sts.us-east-1.amazonaws.com");
    expect(fake.sts.calls.at(-1)!.details.sni).toBe("sts.us-east-1.amazonaws.com");
  });

  it("is sts.cn-north-1.amazonaws.com.cn in cn-north-1 (the aws-cn partition's DNS suffix)", async () => {
    const credentials = await provider("cn-north-1", {}, "arn:aws-cn:iam::123456789012:role/orders")();

    expect(credentials.accountId).toBe("123456789012");
    expect(routing.lookups).toEqual(["sts.cn-north-1.amazonaws.com.cn"]);
    expect(fake.sts.calls.at(-1)!.host).toBe("sts.cn-north-1.amazonaws.com.cn");
    expect(fake.sts.issued.at(-1)!.assumedRoleArn).toMatch(/^arn:aws-cn:sts::123456789012:assumed-role\/orders\//);
  });

  it("reuses one keep-alive connection across fetches (one STS client per provider)", async () => {
    const p = provider("eu-west-1");
    for (let i = 0; i < 3; i++) await p();
    expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(3);
    expect(routing.connections).toBe(1);
  });

  it("fails when the certificate does not match the hostname (so the checks above are real)", async () => {
    const error = await rejection(() => provider("eu-central-1")());
    expect(routing.lookups).toEqual(["sts.eu-central-1.amazonaws.com"]);
    expect(error.message).toContain("AssumeRoleWithWebIdentity for arn:aws:iam::123456789012:role/orders at https://sts.eu-central-1.amazonaws.com failed");
    expect(error.message).toMatch(/altnames|ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/i);
    expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(0);
  });
});
