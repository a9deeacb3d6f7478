/**
 * fromRegionalWebIdentity against the fake STS (plain HTTP on loopback via the `endpoint` option), with the
 * real STS client: what is sent, what comes back, token rotation, retries and every error message.
 */
import { readFile, writeFile } from "node:fs/promises";
import { Agent as HttpAgent } from "node:http";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SafeCredentials } from "../../src/shared/safe-credentials.js";
import { SESSION_NAME_PATTERN } from "../../src/sources/session-name.js";
import { fromRegionalWebIdentity, type RegionalWebIdentityOptions, type RegionalWebIdentityProvider } from "../../src/sources/web-identity.js";
import { makeFakeWebIdentityToken, startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv, rejection } from "./support/env.js";
import { watchClientSockets } from "./support/sockets.js";

const ROLE_ARN = "arn:aws:iam::210987654321:role/shop/orders";

let fake: FakeAws;
let tokenFile: string;
let restoreEnv: () => void;
const providers: RegionalWebIdentityProvider[] = [];

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  restoreEnv = isolateEnv();
  fake.sts.faults.restore();
  fake.sts.clearCalls();
  tokenFile = await fake.writeWebIdentityToken({ claims: { sub: "system:serviceaccount:shop:orders" } });
});
afterEach(() => {
  for (const p of providers.splice(0)) p.destroy();
  fake.sts.faults.restore();
  restoreEnv();
});

function provider(options: RegionalWebIdentityOptions = {}, env: Record<string, string | undefined> = {}): RegionalWebIdentityProvider {
  const p = fromRegionalWebIdentity({
    endpoint: fake.sts.endpoint,
    retry: { baseDelayMs: 5 },
    ...options,
    env: { AWS_ROLE_ARN: ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "eu-west-1", ...env },
  });
  providers.push(p);
  return p;
}

const lastCall = () => fake.sts.calls.at(-1)!;

describe("fromRegionalWebIdentity", () => {
  it("assumes the role with the token from the file and returns safe credentials with expiration and accountId", async () => {
    const credentials = await provider()();
    const issued = fake.sts.issued.at(-1)!;

    expect(credentials).toBeInstanceOf(SafeCredentials);
    expect(credentials.accessKeyId).toBe(issued.accessKeyId);
    expect(credentials.sessionToken).toMatch(/^FakeSessionToken\//);
    expect(credentials.expiration?.getTime()).toBe(issued.expiresAt);
    expect(credentials.accountId).toBe("210987654321");
    expect(inspect(credentials)).not.toContain(credentials.secretAccessKey);
    expect(JSON.stringify(credentials)).not.toContain(credentials.sessionToken);

    const call = lastCall();
    expect(call.details.roleArn).toBe(ROLE_ARN);
    expect(call.details.webIdentityToken).toBe((await readFile(tokenFile, "utf8")).trim());
    expect(String(call.details.roleSessionName)).toMatch(SESSION_NAME_PATTERN);
  });

  it("sends the token file's current content, re-read on every fetch (rotation)", async () => {
    const p = provider();
    const first = makeFakeWebIdentityToken({ sub: "system:serviceaccount:shop:orders", jti: "first" });
    const second = makeFakeWebIdentityToken({ sub: "system:serviceaccount:shop:orders", jti: "second" });
    await fake.writeWebIdentityToken({ path: tokenFile, token: `${first}\n` });
    await p();
    await fake.writeWebIdentityToken({ path: tokenFile, token: second });
    await p();

    const tokens = fake.sts.calls.map((c) => c.details.webIdentityToken);
    expect(tokens).toEqual([first, second]);
  });

  it("uses a default session name from the host name that stays the same across fetches", async () => {
    const p = provider();
    await p();
    await p();
    const [a, b] = fake.sts.calls.map((c) => String(c.details.roleSessionName));
    expect(a).toBe(b);
    expect(a).toMatch(SESSION_NAME_PATTERN);
    expect(p.describe().roleSessionName).toBe(a);
  });

  it("takes AWS_ROLE_SESSION_NAME, and passes durationSeconds, policy and policyArns through", async () => {
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] });
    const credentials = await provider(
      { durationSeconds: 900, policy, policyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }] },
      { AWS_ROLE_SESSION_NAME: "orders-batch" },
    )();
    expect(lastCall().details).toMatchObject({
      roleSessionName: "orders-batch",
      durationSeconds: 900,
      policy,
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    });
    const lifetime = credentials.expiration!.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
  });

  it("builds one STS client and reuses its keep-alive connection", async () => {
    let connections = 0;
    class Counting extends HttpAgent {
      override createConnection(...args: Parameters<HttpAgent["createConnection"]>): ReturnType<HttpAgent["createConnection"]> {
        connections += 1;
        return super.createConnection(...args);
      }
    }
    const agent = new Counting({ keepAlive: true });
    const p = provider({ clientConfig: { requestHandler: { httpAgent: agent } } });
    try {
      for (let i = 0; i < 3; i++) await p();
      expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(3);
      expect(connections).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("builds its STS client once: one connection for many fetches, closed by destroy() or [Symbol.dispose]", async () => {
    // The default handler (no clientConfig): a provider that built a client per fetch would open a socket per fetch.
    const watch = watchClientSockets(Number(new URL(fake.sts.endpoint).port));
    try {
      const p = provider();
      for (let i = 0; i < 3; i++) await p();
      expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(3);
      expect(watch.sockets).toHaveLength(1);

      expect(p[Symbol.dispose]).toBe(p.destroy);
      p[Symbol.dispose]();
      await new Promise((resolve) => setImmediate(resolve));
      expect(watch.sockets[0]!.destroyed).toBe(true);
      // A fetch after disposal builds a new client.
      await p();
      expect(watch.sockets).toHaveLength(2);
    } finally {
      watch.stop();
    }
  });

  it("describes its configuration without the token", async () => {
    const p = provider();
    expect(p.describe()).toMatchObject({ configured: true, roleArn: ROLE_ARN, webIdentityTokenFile: tokenFile, region: "eu-west-1", endpoint: `${fake.sts.endpoint}/` });
    await p();
    const token = (await readFile(tokenFile, "utf8")).trim();
    expect(JSON.stringify(p.describe())).not.toContain(token);
  });
});

describe("fromRegionalWebIdentity errors", () => {
  it("is 'not configured' (tryNextLink) without role ARN and token file", async () => {
    const p = fromRegionalWebIdentity({ env: { AWS_REGION: "eu-west-1" } });
    const error = await rejection(() => p());
    expect(error.name).toBe("CredentialsProviderError");
    expect(error.tryNextLink).toBe(true);
    expect(error.message).toContain("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set");
    expect(p.describe()).toMatchObject({ configured: false });
  });

  it("refuses to run without a region, and never calls the global endpoint", async () => {
    const error = await rejection(() => provider({ endpoint: undefined }, { AWS_REGION: undefined })());
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain("Web identity: no region is configured for STS. Set AWS_REGION");
    expect(fake.sts.count()).toBe(0);
  });

  it("names the path of a missing, empty or unreadable token file", async () => {
    const missing = await rejection(() => provider({}, { AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/awscreds/token" })());
    expect(missing.tryNextLink).toBe(false);
    expect(missing.message).toContain("The web identity token file /nonexistent/awscreds/token does not exist");
    expect(missing.message).toContain("eks.amazonaws.com/role-arn");

    await writeFile(tokenFile, "  \n");
    const empty = await rejection(() => provider()());
    expect(empty.message).toContain(`The web identity token file ${tokenFile} is empty`);

    const directory = await rejection(() => provider({}, { AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp" })());
    expect(directory.message).toContain("The web identity token file /tmp is a directory");
    expect(fake.sts.count()).toBe(0);
  });

  it("refuses plain http to a non-loopback host unless allowed", async () => {
    const error = await rejection(() => provider({ endpoint: "http://sts.internal.example:8080" })());
    expect(error.message).toContain("plain http to another host");
    expect(error.message).toContain("allowInsecureEndpoint: true");
  });

  it("checks options at construction", () => {
    expect(() => fromRegionalWebIdentity({ durationSeconds: 60 })).toThrow("durationSeconds must be an integer from 900 to 43200, got 60");
    expect(() => fromRegionalWebIdentity({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs must be a positive number/);
    expect(() => fromRegionalWebIdentity({ retry: { maxAttempts: 0 } })).toThrow(/retry.maxAttempts/);
  });

  it("explains an AccessDenied (trust policy) and does not retry it", async () => {
    fake.sts.faults.failNext(1, { status: 403, code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity" });
    const token = (await readFile(tokenFile, "utf8")).trim();
    const error = await rejection(() => provider()());
    expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(1);
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain(`AssumeRoleWithWebIdentity for ${ROLE_ARN} at ${fake.sts.endpoint}/ failed after 1 attempt`);
    expect(error.message).toContain("AccessDenied (HTTP 403): Not authorized to perform sts:AssumeRoleWithWebIdentity");
    expect(error.message).toContain("trust policy");
    expect(error.message).not.toContain(token);
  });

  it("keeps the token and the raw STS response out of its errors' cause chain (util.inspect prints it)", async () => {
    const token = (await readFile(tokenFile, "utf8")).trim();
    // A service that echoes the token it rejects.
    fake.sts.faults.failNext(1, { status: 400, code: "ValidationError", message: `Value ${token} at 'webIdentityToken' failed to satisfy constraint` });
    const echoed = await rejection(() => provider()());
    const printed = inspect(echoed, { showHidden: true, depth: Infinity });
    expect(printed).not.toContain(token);
    expect(JSON.stringify(echoed)).not.toContain(token);
    expect(printed).toContain("[redacted] at 'webIdentityToken'");
    // What callers classify the cause by survives.
    const cause = echoed.cause as Error & { $metadata?: { httpStatusCode?: number }; $response?: unknown };
    expect(cause.name).toBe("ValidationError");
    expect(cause.$metadata?.httpStatusCode).toBe(400);
    expect(cause.$response).toBeUndefined();

    // A truncated success reply: the SDK keeps the raw body (which holds the new secret key) on its error.
    fake.sts.faults.malformNext(1);
    const malformed = await rejection(() => provider()());
    const raw = malformed.cause as Record<string, unknown>;
    expect(raw.$response).toBeUndefined();
    expect(raw.$responseBodyText).toBeUndefined();
    expect(inspect(malformed, { showHidden: true, depth: Infinity })).not.toContain("<AssumeRoleWithWebIdentityResult>");
  });

  it("reports an expired token with the file to check", async () => {
    await fake.writeWebIdentityToken({ path: tokenFile, claims: { exp: Math.floor(Date.now() / 1000) - 60 } });
    const error = await rejection(() => provider()());
    expect(error.message).toContain("ExpiredToken");
    expect(error.message).toContain(`The token in ${tokenFile} has expired`);
  });
});

describe("fromRegionalWebIdentity retries", () => {
  it("retries throttling with backoff and succeeds", async () => {
    fake.sts.faults.failNext(2, { status: 400, code: "Throttling", message: "Rate exceeded" });
    await expect(provider()()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(fake.sts.calls.map((c) => c.errorCode ?? c.status)).toEqual(["Throttling", "Throttling", 200]);
  });

  it("retries 5xx and IDPCommunicationError", async () => {
    fake.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    fake.sts.faults.failNext(1, { status: 400, code: "IDPCommunicationError" });
    await provider()();
    expect(fake.sts.calls.map((c) => c.errorCode ?? c.status)).toEqual(["ServiceUnavailable", "IDPCommunicationError", 200]);
  });

  it("retries InvalidIdentityToken once, re-reading the token file", async () => {
    fake.sts.faults.failNext(1, { status: 400, code: "InvalidIdentityToken" });
    await provider()();
    expect(fake.sts.calls.map((c) => c.errorCode ?? c.status)).toEqual(["InvalidIdentityToken", 200]);

    fake.sts.clearCalls();
    fake.sts.faults.failNext(2, { status: 400, code: "InvalidIdentityToken", message: "No OpenIDConnect provider found in your account" });
    const error = await rejection(() => provider({ retry: { maxAttempts: 5, baseDelayMs: 5 } })());
    expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(2);
    expect(error.message).toContain("failed after 2 attempts: InvalidIdentityToken (HTTP 400): No OpenIDConnect provider found in your account");
    expect(error.message).toContain("OIDC issuer is registered as an IAM identity provider");
  });

  it("gives up after maxAttempts and says so", async () => {
    fake.sts.faults.failNext(10, { status: 500, code: "InternalFailure", message: "internal" });
    const error = await rejection(() => provider({ retry: { maxAttempts: 3, baseDelayMs: 5 } })());
    expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(3);
    expect(error.message).toContain("failed after 3 attempts: InternalFailure (HTTP 500): internal");
    expect(error.message).toContain("usually transient");
  });

  it("bounds a hanging STS by the short request timeout, then retries", async () => {
    fake.sts.faults.hangNext(1);
    const started = Date.now();
    await provider({ requestTimeoutMs: 300 })();
    expect(fake.sts.calls.map((c) => c.fault ?? c.status)).toEqual(["hang", 200]);
    // Generous bound: the point is "bounded", not fast.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("says what to check when STS never answers", async () => {
    fake.sts.faults.hangNext(2);
    const error = await rejection(() => provider({ requestTimeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 5 } })());
    expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(2);
    expect(error.message).toContain("failed after 2 attempts");
    expect(error.message).toContain(`Could not get an answer from ${fake.sts.endpoint}/ in time`);
  });
});
