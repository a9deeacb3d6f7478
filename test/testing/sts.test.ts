import { inspect } from "node:util";
import { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type STSClientConfig,
} from "@aws-sdk/client-sts";
import { fromWebToken } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity } from "@smithy/types";
import { generate } from "selfsigned";
import { makeFakeWebIdentityToken } from "../../src/testing/core/jwt.js";
import { startFakeSts, type FakeStsHandle } from "../../src/testing/sts/service.js";
import { isolateAwsEnv } from "./support/isolated-aws-env.js";
import { testContext, type TestContext } from "./support/test-context.js";

const ROLE_ARN = "arn:aws:iam::210987654321:role/team/app-role";

let ctx: TestContext;
let sts: FakeStsHandle & { close(): Promise<void> };
let restoreEnv: () => void;
const clients: STSClient[] = [];

function client(config: Partial<STSClientConfig> = {}): STSClient {
  const c = new STSClient({ region: "us-east-1", endpoint: sts.endpoint, ...config });
  clients.push(c);
  return c;
}

const assumeWithToken = (c: STSClient, input: Partial<ConstructorParameters<typeof AssumeRoleWithWebIdentityCommand>[0]> = {}) =>
  c.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: ROLE_ARN,
      RoleSessionName: "app-session",
      WebIdentityToken: makeFakeWebIdentityToken({ sub: "system:serviceaccount:shop:web" }),
      ...input,
    }),
  );

/** Credentials for signed calls, issued by the fake itself. */
async function issuedCredentials(): Promise<AwsCredentialIdentity> {
  const out = await assumeWithToken(client());
  return {
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  };
}

/** Runs `fn`, expecting it to reject; returns the error. */
async function rejection(fn: () => Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; $fault?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

async function postForm(body: string, path = "/"): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sts.endpoint}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  restoreEnv = isolateAwsEnv();
  ctx = testContext();
  sts = await startFakeSts(ctx, { credentialLifetimeSeconds: 900 });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await sts.close();
  restoreEnv();
});

beforeEach(() => {
  sts.faults.restore();
  sts.clearCalls();
  sts.setCredentialLifetime(900);
});

describe("AssumeRoleWithWebIdentity", () => {
  it("issues credentials the way real STS answers, and records the call", async () => {
    const token = makeFakeWebIdentityToken({ sub: "system:serviceaccount:shop:web", aud: ["sts.amazonaws.com"] });
    const before = Date.now();
    const out = await client().send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: "web-1", WebIdentityToken: token, DurationSeconds: 900 }),
    );
    const after = Date.now();

    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toBeTruthy();
    expect(out.Credentials?.SessionToken).toBeTruthy();
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    // Issued somewhere between before and after, for 900 s, the expiry cut to whole seconds on the wire.
    const expiration = out.Credentials!.Expiration!.getTime();
    expect(expiration).toBeGreaterThan(before + 900_000 - 1_000);
    expect(expiration).toBeLessThanOrEqual(after + 900_000);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::210987654321:assumed-role/app-role/web-1");
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:web-1$/);
    expect(out.SubjectFromWebIdentityToken).toBe("system:serviceaccount:shop:web");
    expect(out.Audience).toBe("sts.amazonaws.com");
    expect(out.Provider).toBe("arn:aws:iam::210987654321:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/FAKE0123456789");
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [call] = sts.calls;
    expect(call).toMatchObject({
      action: "AssumeRoleWithWebIdentity",
      status: 200,
      host: new URL(sts.endpoint).host,
      details: { roleArn: ROLE_ARN, roleSessionName: "web-1", webIdentityToken: token, durationSeconds: 900, policyArns: [] },
    });
    expect(sts.count("AssumeRoleWithWebIdentity")).toBe(1);

    // The shared store knows them (so SigV4-verifying fakes accept them) ...
    const known = ctx.store.get(out.Credentials!.AccessKeyId!);
    expect(known).toMatchObject({ issuer: "sts", account: "210987654321", arn: out.AssumedRoleUser!.Arn });
    expect(known?.expiresAt).toBe(out.Credentials!.Expiration!.getTime());
    // ... and the handle lists them without any secret.
    const issued = sts.issued.at(-1)!;
    expect(issued).toMatchObject({ action: "AssumeRoleWithWebIdentity", accessKeyId: out.Credentials!.AccessKeyId, roleArn: ROLE_ARN, roleSessionName: "web-1" });
    const printed = JSON.stringify(sts.issued) + inspect(sts.issued);
    expect(printed).not.toContain(out.Credentials!.SecretAccessKey!);
    expect(printed).not.toContain(out.Credentials!.SessionToken!);
  });

  it("treats the configured lifetime as the role's maximum: DurationSeconds shortens, never lengthens", async () => {
    sts.setCredentialLifetime(3);
    const short = await assumeWithToken(client(), { DurationSeconds: 3600 });
    const lifetime = short.Credentials!.Expiration!.getTime() - Date.now();
    expect(lifetime).toBeLessThanOrEqual(3_000);
    expect(lifetime).toBeGreaterThan(0);
    expect(sts.credentialLifetimeSeconds).toBe(3);
    expect(() => sts.setCredentialLifetime(0)).toThrow(RangeError);
  });

  it("passes policy, policy ARNs and provider id into the call log", async () => {
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] });
    await assumeWithToken(client(), { Policy: policy, PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }] });
    expect(sts.calls[0]?.details).toMatchObject({ policy, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] });
  });

  it.each([
    ["a role ARN that is not one", { RoleArn: "arn:aws:iam::123456789012:user/not-a-role" }, "ValidationError", /Request ARN is invalid/],
    ["a role ARN that is too short", { RoleArn: "arn:aws:iam::1" }, "ValidationError", /at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20/],
    ["a session name with a space", { RoleSessionName: "my session" }, "ValidationError", /'roleSessionName'.*regular expression pattern: \[\\w\+=,\.@-\]\*/],
    ["a one-character session name", { RoleSessionName: "a" }, "ValidationError", /'roleSessionName'.*length greater than or equal to 2/],
    ["a session name over 64 characters", { RoleSessionName: "s".repeat(65) }, "ValidationError", /length less than or equal to 64/],
    ["DurationSeconds under 900", { DurationSeconds: 100 }, "ValidationError", /'durationSeconds'.*greater than or equal to 900/],
    ["DurationSeconds over 12 hours", { DurationSeconds: 43201 }, "ValidationError", /'durationSeconds'.*less than or equal to 43200/],
    ["an empty token", { WebIdentityToken: "" }, "ValidationError", /'webIdentityToken'/],
    ["a token that is not a JWT", { WebIdentityToken: "not-a-jwt-at-all" }, "InvalidIdentityTokenException", /could not be validated/],
    ["a policy that is not JSON", { Policy: "{not json" }, "MalformedPolicyDocumentException", /Syntax errors in policy/],
  ])("rejects %s with the error real STS returns", async (_what, input, name, message) => {
    const error = await rejection(() => assumeWithToken(client(), input));
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.$fault).toBe("client");
    expect(sts.count()).toBe(1); // client errors are not retried
  });

  it("collects several constraint violations into one ValidationError, without quoting the token", async () => {
    const error = await rejection(() => assumeWithToken(client(), { RoleSessionName: "a", DurationSeconds: 1, WebIdentityToken: "abc" }));
    expect(error.name).toBe("ValidationError");
    expect(error.message).toMatch(/^3 validation errors detected: /);
    expect(error.message).not.toContain("abc");
  });

  it("rejects an expired token with ExpiredTokenException", async () => {
    const expired = makeFakeWebIdentityToken({ exp: Math.floor(Date.now() / 1000) - 60 });
    const error = await rejection(() => assumeWithToken(client(), { WebIdentityToken: expired }));
    expect(error.name).toBe("ExpiredTokenException");
    expect(error.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time\d+$/);
  });

  it("rejects a token without an issuer", async () => {
    const error = await rejection(() => assumeWithToken(client(), { WebIdentityToken: makeFakeWebIdentityToken({ iss: undefined }) }));
    expect(error.name).toBe("InvalidIdentityTokenException");
  });

  it("works behind fromWebToken from @aws-sdk/credential-providers", async () => {
    const provider = fromWebToken({
      roleArn: ROLE_ARN,
      roleSessionName: "provider-session",
      webIdentityToken: makeFakeWebIdentityToken(),
      clientConfig: { endpoint: sts.endpoint, region: "us-east-1" },
    });
    const credentials = await provider();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.accountId).toBe("210987654321");
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(sts.calls[0]?.details.roleSessionName).toBe("provider-session");
  });
});

describe("signed actions", () => {
  it("GetCallerIdentity reports the assumed role of STS-issued credentials", async () => {
    const credentials = await issuedCredentials();
    const out = await client({ credentials }).send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe("arn:aws:sts::210987654321:assumed-role/app-role/app-session");
    expect(out.Account).toBe("210987654321");
    expect(out.UserId).toMatch(/^AROA[A-Z2-7]{17}:app-session$/);
    expect(sts.calls.at(-1)).toMatchObject({ action: "GetCallerIdentity", accessKeyId: credentials.accessKeyId, status: 200 });
  });

  it("GetCallerIdentity reports a registered IAM user for static keys", async () => {
    ctx.store.add({
      accessKeyId: "AKIAFAKESTATIC00001",
      secretAccessKey: "static-secret",
      arn: "arn:aws:iam::123456789012:user/alice",
      account: "123456789012",
      issuer: "static",
    });
    const out = await client({ credentials: { accessKeyId: "AKIAFAKESTATIC00001", secretAccessKey: "static-secret" } }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(out).toMatchObject({ Arn: "arn:aws:iam::123456789012:user/alice", Account: "123456789012" });
    expect(out.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  it("AssumeRole chains from STS-issued credentials", async () => {
    const credentials = await issuedCredentials();
    const out = await client({ credentials }).send(
      new AssumeRoleCommand({ RoleArn: "arn:aws:iam::210987654321:role/other", RoleSessionName: "chained", ExternalId: "ext-1" }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::210987654321:assumed-role/other/chained");
    expect(out.Credentials?.AccessKeyId).not.toBe(credentials.accessKeyId);
    expect(sts.calls.at(-1)).toMatchObject({ action: "AssumeRole", details: { roleSessionName: "chained", externalId: "ext-1" } });
    expect(sts.issued.at(-1)).toMatchObject({ action: "AssumeRole", roleArn: "arn:aws:iam::210987654321:role/other" });
  });

  it("rejects a wrong secret, an unknown key and expired credentials with the codes AWS uses", async () => {
    const credentials = await issuedCredentials();
    const wrongSecret = await rejection(() => client({ credentials: { ...credentials, secretAccessKey: "wrong" } }).send(new GetCallerIdentityCommand({})));
    expect(wrongSecret.name).toBe("SignatureDoesNotMatch");
    expect(wrongSecret.$metadata?.httpStatusCode).toBe(403);

    const unknown = await rejection(() =>
      client({ credentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" } }).send(new GetCallerIdentityCommand({})),
    );
    expect(unknown.name).toBe("InvalidClientTokenId");

    ctx.store.expire(credentials.accessKeyId, ctx.now());
    const expired = await rejection(() => client({ credentials }).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: "late" })));
    expect(expired.name).toBe("ExpiredToken");
    expect(expired.message).toBe("The security token included in the request is expired");
  });

  it("rejects an unsigned AssumeRole with MissingAuthenticationToken", async () => {
    const res = await postForm(`Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE_ARN)}&RoleSessionName=x1`);
    expect(res.status).toBe(403);
    expect(res.text).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(res.text).toContain("<Type>Sender</Type>");
  });

  it("rejects a signature scoped to another region, as a regional endpoint does", async () => {
    const credentials = await issuedCredentials();
    const error = await rejection(() => client({ region: "eu-west-1", credentials }).send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe("SignatureDoesNotMatch");
    expect(error.message).toMatch(/scoped to a valid region/);
  });
});

describe("bad input on the wire", () => {
  it("answers AWS-shaped errors and keeps serving", async () => {
    const unknown = await postForm("Action=GetSessionTokenX&Version=2011-06-15");
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>InvalidAction<\/Code>\s*<Message>Could not find operation GetSessionTokenX for version 2011-06-15<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>\s*$/,
    );

    expect((await postForm("Version=2011-06-15")).text).toContain("<Code>MissingAction</Code>");
    expect((await postForm("Action=GetCallerIdentity&Version=2010-01-01")).text).toContain("for version 2010-01-01");
    expect((await postForm("Action=GetCallerIdentity")).text).toContain("for version NO_VERSION_SPECIFIED");
    expect((await postForm("%%%&&&=")).status).toBe(400);
    const escaped = await postForm("Action=<script>&Version=2011-06-15");
    expect(escaped.text).toContain("Could not find operation &lt;script&gt;");
    const big = await postForm(`Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=${"x".repeat(3 * 1024 * 1024)}`);
    expect(big.status).toBeGreaterThanOrEqual(400);

    // Query-string form (STS accepts GET too), then a normal call: the fake is still up.
    const viaGet = await fetch(`${sts.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15`);
    expect(viaGet.status).toBe(403);
    expect((await assumeWithToken(client())).Credentials).toBeDefined();
  });
});

describe("faults, as the SDK sees them", () => {
  it("Throttling is retried (with the SDK's throttling backoff) and then succeeds", async () => {
    sts.faults.failNext(1, { status: 400, code: "Throttling" });
    const out = await assumeWithToken(client());
    expect(out.$metadata.attempts).toBe(2);
    expect(sts.calls.map((c) => [c.status, c.errorCode, c.fault])).toEqual([
      [400, "Throttling", "error"],
      [200, undefined, undefined],
    ]);
  });

  it("persistent Throttling surfaces as error.name 'Throttling' after the SDK's 3 attempts", async () => {
    sts.faults.failNext(3, { status: 400, code: "Throttling" });
    const error = await rejection(() => assumeWithToken(client()));
    expect(error.name).toBe("Throttling");
    expect(error.message).toBe("Rate exceeded");
    expect(error.$metadata?.attempts).toBe(3);
    expect(sts.count("AssumeRoleWithWebIdentity")).toBe(3);
  });

  it.each([
    [500, "InternalFailure"],
    [503, "ServiceUnavailable"],
  ])("a %i %s is a retryable server fault", async (status, code) => {
    sts.faults.failNext(5, { status, code });
    const error = await rejection(() => assumeWithToken(client({ maxAttempts: 2 })));
    expect(error.name).toBe(code);
    expect(error.$fault).toBe("server");
    expect(error.$metadata).toMatchObject({ httpStatusCode: status, attempts: 2 });
    expect(sts.count()).toBe(2);
    expect(sts.calls[0]?.errorCode).toBe(code);
  });

  it("InvalidIdentityToken becomes InvalidIdentityTokenException and is not retried", async () => {
    sts.faults.failNext(1, { status: 400, code: "InvalidIdentityToken" });
    const error = await rejection(() => assumeWithToken(client()));
    expect(error.name).toBe("InvalidIdentityTokenException");
    expect(error.message).toMatch(/Couldn't retrieve verification key/);
    expect(sts.count()).toBe(1);
  });

  it("IDPCommunicationError becomes IDPCommunicationErrorException, which the SDK retries", async () => {
    sts.faults.failNext(1, { status: 400, code: "IDPCommunicationError" });
    expect((await assumeWithToken(client())).$metadata.attempts).toBe(2);

    sts.faults.failNext(3, { status: 400, code: "IDPCommunicationError", message: "IdP unreachable" });
    const error = await rejection(() => assumeWithToken(client()));
    expect(error.name).toBe("IDPCommunicationErrorException");
    expect(error.message).toBe("IdP unreachable");
    expect(sts.count()).toBe(5);
  });

  it("an injected ExpiredTokenException surfaces with its modeled name", async () => {
    sts.faults.failNext(1, { status: 400, code: "ExpiredTokenException" });
    expect((await rejection(() => assumeWithToken(client()))).name).toBe("ExpiredTokenException");
  });

  it("faults can be scoped to one action", async () => {
    const credentials = await issuedCredentials();
    sts.clearCalls();
    sts.faults.failNext(1, { status: 400, code: "AccessDenied", message: "nope" }, { action: "GetCallerIdentity" });
    await assumeWithToken(client());
    const error = await rejection(() => client({ credentials }).send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe("AccessDenied");
    expect(sts.calls.map((c) => c.action)).toEqual(["AssumeRoleWithWebIdentity", "GetCallerIdentity"]);
  });

  it("a malformed body fails the call with the SDK's deserialization error", async () => {
    sts.faults.malformNext(1);
    const error = await rejection(() => assumeWithToken(client()));
    expect(error.message).toMatch(/XML parse error[\s\S]*Deserialization error/);
    expect(error.$metadata?.httpStatusCode).toBe(200);
    expect(sts.calls).toHaveLength(1); // a 200 that cannot be parsed is not retried
    expect(sts.calls[0]).toMatchObject({ fault: "malformed", status: 200 });
  });

  it("a hang is cut by the client's requestTimeout and the retry succeeds", async () => {
    sts.faults.hangNext(1);
    const c = client({ requestHandler: new NodeHttpHandler({ requestTimeout: 300, throwOnRequestTimeout: true }) });
    const out = await assumeWithToken(c);
    expect(out.$metadata.attempts).toBe(2);
    expect(sts.calls[0]?.fault).toBe("hang");
    expect(sts.calls[0]?.status).toBeUndefined(); // never answered
    expect(sts.calls[1]?.status).toBe(200);
  });

  it("hangs exhaust the retries as TimeoutError", async () => {
    sts.faults.hangNext(2);
    const c = client({ maxAttempts: 2, requestHandler: new NodeHttpHandler({ requestTimeout: 200, throwOnRequestTimeout: true }) });
    const error = await rejection(() => assumeWithToken(c));
    expect(error.name).toBe("TimeoutError");
    expect(sts.count()).toBe(2);
  });

  it("adds latency", async () => {
    sts.faults.setLatency(250);
    const started = performance.now();
    await assumeWithToken(client());
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(sts.faults.latencyMs).toBe(250);
  });

  it("restore() drops pending faults and lets a hanging call go; the SDK retries it", async () => {
    sts.faults.setLatency(50);
    sts.faults.hangNext(1);
    sts.faults.failNext(5, { status: 400, code: "Throttling" });
    const pending = assumeWithToken(client());
    await waitFor(() => sts.calls[0]?.fault === "hang");
    sts.faults.restore();
    const out = await pending;
    expect(out.Credentials).toBeDefined();
    expect(sts.faults.latencyMs).toBe(0);
    expect(sts.calls.map((c) => c.fault)).toEqual(["hang", undefined]);
  });
});

describe("over TLS", () => {
  let tlsSts: FakeStsHandle & { close(): Promise<void> };
  let ca: string;
  const agents: HttpsAgent[] = [];

  beforeAll(async () => {
    const caPems = await generate([{ name: "commonName", value: "awscreds test CA" }], {
      keySize: 2048,
      algorithm: "sha256",
      extensions: [{ name: "basicConstraints", cA: true }, { name: "keyUsage", keyCertSign: true, digitalSignature: true }],
    });
    ca = caPems.cert;
    const server = await generate([{ name: "commonName", value: "sts.us-east-1.amazonaws.com" }], {
      keySize: 2048,
      algorithm: "sha256",
      ca: { key: caPems.private, cert: caPems.cert },
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "sts.us-east-1.amazonaws.com" }] }],
    });
    tlsSts = await startFakeSts(testContext(), { tls: { key: server.private, cert: server.cert } });
  });

  afterAll(async () => {
    for (const agent of agents) agent.destroy();
    await tlsSts.close();
  });

  it("serves HTTPS and records the hostname the client asked for (Host and SNI)", async () => {
    expect(tlsSts.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(tlsSts.endpoint).port;
    // Resolve every name to loopback: the real hostname is used, the real network never is.
    const looked: string[] = [];
    const lookup = ((host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      looked.push(host);
      if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
      else callback(null, "127.0.0.1", 4);
    }) as unknown as LookupFunction;
    const httpsAgent = new HttpsAgent({ ca, lookup });
    agents.push(httpsAgent);
    const c = client({ endpoint: `https://sts.us-east-1.amazonaws.com:${port}`, requestHandler: new NodeHttpHandler({ httpsAgent }) });
    const out = await assumeWithToken(c);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(looked).toEqual(["sts.us-east-1.amazonaws.com"]);
    expect(tlsSts.calls[0]).toMatchObject({ host: `sts.us-east-1.amazonaws.com:${port}`, details: { sni: "sts.us-east-1.amazonaws.com" } });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(() => {
  sts.faults.restore();
});
