import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromContainerMetadata, fromHttp } from "@aws-sdk/credential-providers";
import { startFakeContainer, type FakeContainerHandle } from "../../src/testing/container/service.js";
import { isolateAwsEnv } from "./support/isolated-aws-env.js";
import { testContext, type TestContext } from "./support/test-context.js";

let ctx: TestContext;
let container: FakeContainerHandle & { close(): Promise<void> };
let restoreEnv: () => void;
let dir: string;

async function rejection(fn: () => Promise<unknown>): Promise<Error & { statusCode?: number; Code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** fromHttp retries 3 times a second apart by default; tests that expect failure keep it short. */
const quickHttp = (options: Parameters<typeof fromHttp>[0] = {}) => fromHttp({ maxRetries: 0, timeout: 1_000, ...options });

beforeAll(async () => {
  ctx = testContext({ accountId: "444455556666" });
  container = await startFakeContainer(ctx, { authorizationToken: "pod-identity-token-1", credentialLifetimeSeconds: 900, roleName: "orders" });
  dir = await mkdtemp(join(tmpdir(), "awscreds-container-test-"));
});

afterAll(async () => {
  await container.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  restoreEnv?.();
  // The variables `fake.env` hands out for the container endpoint.
  restoreEnv = isolateAwsEnv({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: container.credentialsUrl,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: container.authorizationToken,
  });
  container.faults.restore();
  container.clearCalls();
  container.setAuthorizationToken("pod-identity-token-1");
});

afterAll(() => restoreEnv());

describe("the SDK's container providers against the fake", () => {
  it("fromContainerMetadata resolves through AWS_CONTAINER_CREDENTIALS_FULL_URI and the token", async () => {
    expect(container.credentialsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/credentials\/[0-9a-f-]{36}$/);
    const credentials = await fromContainerMetadata()();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.accountId).toBe("444455556666");
    // Against the fake's clock: another test of this file may have moved it (ctx.advance) before this one.
    const lifetime = credentials.expiration!.getTime() - ctx.now();
    expect(lifetime).toBeGreaterThan(890_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    expect(container.calls).toHaveLength(1);
    expect(container.calls[0]).toMatchObject({ action: `GET ${new URL(container.credentialsUrl).pathname}`, status: 200 });
    expect(ctx.store.get(credentials.accessKeyId)).toMatchObject({ issuer: "container", arn: expect.stringMatching(/^arn:aws:sts::444455556666:assumed-role\/orders\//) });
    expect(container.roleArn).toBe("arn:aws:iam::444455556666:role/orders");
  });

  it("fromHttp resolves through the same variables, and with a token file (EKS Pod Identity)", async () => {
    const viaEnv = await fromHttp()();
    expect(viaEnv.accessKeyId).toMatch(/^ASIA/);

    const tokenFile = join(dir, "eks-pod-identity-token");
    await writeFile(tokenFile, "pod-identity-token-1");
    delete process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = tokenFile;
    const viaFile = await fromHttp()();
    expect(viaFile.accessKeyId).toBe(viaEnv.accessKeyId); // same credentials until they near expiry
    expect(container.count()).toBe(2);
  });

  it("serves the same credentials until they near expiry, then new ones", async () => {
    container.rotateCredentials();
    const first = await fromHttp()();
    ctx.advance(601_000); // new credentials 5 minutes before a 15-minute lifetime ends
    const second = await fromHttp()();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(container.issuedAccessKeyIds.slice(-2)).toEqual([first.accessKeyId, second.accessKeyId]);
  });
});

describe("the Authorization check", () => {
  it("answers 401 without a token and 403 with a wrong one, never echoing it", async () => {
    delete process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    const missing = await rejection(() => quickHttp()());
    expect(missing.message).toMatch(/Server responded with status: 401/);
    expect(missing.Code).toBe("Unauthorized");

    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = "stolen-token";
    const wrong = await rejection(() => quickHttp()());
    expect(wrong.message).toMatch(/Server responded with status: 403/);
    expect(wrong.Code).toBe("AccessDenied");

    const raw = await fetch(container.credentialsUrl, { headers: { authorization: "stolen-token" } });
    expect(raw.status).toBe(403);
    expect(await raw.text()).not.toContain("stolen-token");

    const legacy = await rejection(() => fromContainerMetadata()());
    expect(legacy.statusCode).toBe(403);
  });

  it("follows a token rotation", async () => {
    container.setAuthorizationToken("pod-identity-token-2");
    expect((await rejection(() => quickHttp()())).message).toMatch(/403/);
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = container.authorizationToken;
    expect((await quickHttp()()).accessKeyId).toMatch(/^ASIA/);
  });

  it("answers unknown ids, paths and methods as errors, and keeps serving", async () => {
    const auth = { authorization: container.authorizationToken };
    expect((await fetch(`${container.endpoint}/v2/credentials/nope`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${container.endpoint}/v1/other`, { headers: auth })).status).toBe(404);
    expect((await fetch(container.credentialsUrl, { method: "POST", headers: auth, body: "{}" })).status).toBe(405);
    expect((await fetch(container.credentialsUrl, { headers: auth })).status).toBe(200);
  });
});

describe("faults, as the SDK's providers see them", () => {
  it("a 500 fails one attempt; fromHttp's own retry then succeeds", async () => {
    container.faults.failNext(1, { status: 500, code: "InternalServerError" });
    const credentials = await fromHttp({ maxRetries: 1, timeout: 200 })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(container.calls.map((c) => [c.status, c.errorCode])).toEqual([
      [500, "InternalServerError"],
      [200, undefined],
    ]);
  });

  it("a 500 surfaces as the provider's error when retries run out", async () => {
    container.faults.failNext(1, { status: 500, code: "InternalServerError" });
    expect((await rejection(() => quickHttp()())).message).toMatch(/Server responded with status: 500/);
    container.faults.failNext(1, { status: 429, code: "TooManyRequests", message: "slow down" });
    const throttled = await rejection(() => quickHttp()());
    expect(throttled).toMatchObject({ Code: "TooManyRequests", Message: "slow down" });
  });

  it("a malformed body fails to parse", async () => {
    container.faults.malformNext(1);
    expect(await rejection(() => quickHttp()())).toBeInstanceOf(SyntaxError);
    container.faults.malformNext(1);
    expect(await rejection(() => fromContainerMetadata()())).toBeInstanceOf(SyntaxError);
  });

  it("a hang runs into fromContainerMetadata's timeout", async () => {
    container.faults.hangNext(1);
    const error = await rejection(() => fromContainerMetadata({ timeout: 300 })());
    expect(error.message).toBe("TimeoutError from instance metadata service");
    expect(container.calls[0]?.fault).toBe("hang");
  });

  it("a hang is NOT cut by fromHttp's timeout (SDK 3.1169: it only warns); restore() lets it go and the retry succeeds", async () => {
    // fromHttp passes `timeout` as the handler's requestTimeout without throwOnRequestTimeout, so a
    // container agent that accepts the connection and never answers holds the provider indefinitely.
    container.faults.hangNext(1);
    const pending = fromHttp({ maxRetries: 1, timeout: 300 })();
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(settled).toBe(false);
    expect(container.calls[0]?.fault).toBe("hang");
    container.faults.restore();
    const credentials = await pending;
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(container.calls.map((c) => c.fault)).toEqual(["hang", undefined]);
  });

  it("adds latency", async () => {
    container.faults.setLatency(200);
    const started = performance.now();
    await fromHttp({ timeout: 2_000 })();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });
});
