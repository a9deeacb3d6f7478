import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromInstanceMetadata } from "@aws-sdk/credential-providers";
import { startFakeImds, type FakeImdsHandle } from "../../src/testing/imds/service.js";
import { isolateAwsEnv } from "./support/isolated-aws-env.js";
import { testContext, type TestContext } from "./support/test-context.js";

const CREDS = "/latest/meta-data/iam/security-credentials/";

let ctx: TestContext;
let imds: FakeImdsHandle & { close(): Promise<void> };
let restoreEnv: () => void;

async function rejection(fn: () => Promise<unknown>): Promise<Error & { statusCode?: number }> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

async function token(ttl = "60"): Promise<string> {
  const res = await fetch(`${imds.endpoint}/latest/api/token`, { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": ttl } });
  expect(res.status).toBe(200);
  return res.text();
}

const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${imds.endpoint}${path}`, { headers });

beforeAll(async () => {
  ctx = testContext({ accountId: "111122223333" });
  imds = await startFakeImds(ctx, { roleName: "web-instance", credentialLifetimeSeconds: 600 });
  // The SDK's own provider finds the fake through the variable `fake.env` sets.
  restoreEnv = isolateAwsEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint });
});

afterAll(async () => {
  await imds.close();
  restoreEnv();
});

beforeEach(() => {
  imds.faults.restore();
  imds.clearCalls();
  imds.setRoleName("web-instance");
  imds.setCredentialLifetime(600);
});

describe("fromInstanceMetadata against the fake IMDSv2", () => {
  it("resolves role credentials through the token flow the SDK uses", async () => {
    const credentials = await fromInstanceMetadata()();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration).toBeInstanceOf(Date);
    // Against the fake's clock: another test of this file may have moved it (ctx.advance) before this one.
    const lifetime = credentials.expiration!.getTime() - ctx.now();
    expect(lifetime).toBeGreaterThan(590_000);
    expect(lifetime).toBeLessThanOrEqual(600_000);

    expect(imds.calls.map((c) => [c.action, c.status])).toEqual([
      ["PUT /latest/api/token", 200],
      [`GET ${CREDS}`, 200],
      [`GET ${CREDS}web-instance`, 200],
    ]);
    expect(imds.calls[2]?.details).toEqual({ roleName: "web-instance" });
    expect(ctx.store.get(credentials.accessKeyId)).toMatchObject({
      issuer: "imds",
      account: "111122223333",
      arn: `arn:aws:sts::111122223333:assumed-role/web-instance/${imds.instanceId}`,
    });
    expect(imds.issuedAccessKeyIds.at(-1)).toBe(credentials.accessKeyId);
  });

  it("serves the same credentials until they near expiry, then rotates them", async () => {
    imds.rotateCredentials();
    imds.setCredentialLifetime(600);
    const first = await fromInstanceMetadata()();
    expect((await fromInstanceMetadata()()).accessKeyId).toBe(first.accessKeyId);
    ctx.advance(301_000); // past half of a 10-minute lifetime
    const second = await fromInstanceMetadata()();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    imds.rotateCredentials();
    expect((await fromInstanceMetadata()()).accessKeyId).not.toBe(second.accessKeyId);
  });

  it("fails as on an instance without a role when the role is detached", async () => {
    imds.setRoleName(undefined);
    const error = await rejection(() => fromInstanceMetadata()());
    expect(error.statusCode).toBe(404);
    expect(imds.calls.at(-1)).toMatchObject({ action: `GET ${CREDS}`, status: 404 });
  });
});

describe("IMDSv2 rules on the wire", () => {
  it("requires a valid session token on every GET", async () => {
    const missing = await get(CREDS);
    expect(missing.status).toBe(401);
    expect(await missing.text()).toContain("<title>401 - Unauthorized</title>");
    expect((await get(CREDS, { "x-aws-ec2-metadata-token": "forged" })).status).toBe(401);

    const valid = await token();
    const list = await get(CREDS, { "x-aws-ec2-metadata-token": valid });
    expect(list.status).toBe(200);
    expect(await list.text()).toBe("web-instance");
    const creds = (await (await get(`${CREDS}web-instance`, { "x-aws-ec2-metadata-token": valid })).json()) as Record<string, unknown>;
    expect(Object.keys(creds)).toEqual(["Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"]);
    expect(creds).toMatchObject({ Code: "Success", Type: "AWS-HMAC" });
    expect(creds.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await get(`${CREDS}other-role`, { "x-aws-ec2-metadata-token": valid })).status).toBe(404);
    expect(await (await get("/latest/meta-data/placement/region", { "x-aws-ec2-metadata-token": valid })).text()).toBe("us-east-1");
    expect(await (await get("/latest/meta-data/instance-id", { "x-aws-ec2-metadata-token": valid })).text()).toBe(imds.instanceId);
    expect((await get("/latest/meta-data/iam/info", { "x-aws-ec2-metadata-token": valid })).status).toBe(200);
    expect((await get("/latest/user-data", { "x-aws-ec2-metadata-token": valid })).status).toBe(404);
  });

  it("expires session tokens after their TTL", async () => {
    const shortLived = await token("1");
    expect((await get(CREDS, { "x-aws-ec2-metadata-token": shortLived })).status).toBe(200);
    ctx.advance(1_001);
    expect((await get(CREDS, { "x-aws-ec2-metadata-token": shortLived })).status).toBe(401);
  });

  it("rejects token requests without a valid TTL, through a proxy, or with the wrong method", async () => {
    const put = (headers: Record<string, string>) => fetch(`${imds.endpoint}/latest/api/token`, { method: "PUT", headers });
    expect((await put({})).status).toBe(400);
    expect((await put({ "x-aws-ec2-metadata-token-ttl-seconds": "0" })).status).toBe(400);
    expect((await put({ "x-aws-ec2-metadata-token-ttl-seconds": "21601" })).status).toBe(400);
    expect((await put({ "x-aws-ec2-metadata-token-ttl-seconds": "60", "x-forwarded-for": "10.0.0.1" })).status).toBe(403);
    expect((await fetch(`${imds.endpoint}/latest/api/token`)).status).toBe(405);
    expect((await fetch(`${imds.endpoint}${CREDS}`, { method: "POST", body: "x" })).status).toBe(405);
  });
});

describe("faults, as the SDK's provider sees them", () => {
  it("a failed token request sends the SDK to the IMDSv1 fallback, which IMDSv2-only refuses", async () => {
    imds.faults.failNext(1, { status: 500, code: "InternalServerError" }, { action: "PUT /latest/api/token" });
    const error = await rejection(() => fromInstanceMetadata()());
    expect(error.statusCode).toBe(401);
    expect(imds.calls.map((c) => [c.action, c.status])).toEqual([
      ["PUT /latest/api/token", 500],
      [`GET ${CREDS}`, 401],
    ]);
  });

  it("a failed credentials read fails the provider, and its maxRetries retries it", async () => {
    imds.faults.failNext(1, { status: 503, code: "ServiceUnavailable" }, { action: `GET ${CREDS}web-instance` });
    const error = await rejection(() => fromInstanceMetadata()());
    expect(error.statusCode).toBe(503);

    imds.faults.failNext(1, { status: 500, code: "InternalServerError" }, { action: `GET ${CREDS}web-instance` });
    const credentials = await fromInstanceMetadata({ maxRetries: 1 })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(imds.count(`GET ${CREDS}web-instance`)).toBe(3);
  });

  it("a malformed credentials document is a parse error", async () => {
    imds.faults.malformNext(1, { action: `GET ${CREDS}web-instance` });
    const error = await rejection(() => fromInstanceMetadata()());
    expect(error).toBeInstanceOf(SyntaxError);
    expect(imds.calls.at(-1)?.fault).toBe("malformed");
  });

  it("a hang runs into the provider's timeout", async () => {
    imds.faults.hangNext(1, { action: `GET ${CREDS}web-instance` });
    const error = await rejection(() => fromInstanceMetadata({ timeout: 300 })());
    expect(error.message).toBe("TimeoutError from instance metadata service");
    expect(imds.calls.at(-1)?.fault).toBe("hang");
  });

  it("adds latency, and restore() removes it", async () => {
    imds.faults.setLatency(200);
    const started = performance.now();
    await fromInstanceMetadata({ timeout: 5_000 })();
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 190);
    imds.faults.restore();
    expect(imds.faults.latencyMs).toBe(0);
  });
});
