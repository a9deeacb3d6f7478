import { ListQueuesCommand, SQSClient, type ServiceInputTypes, type ServiceOutputTypes, type SQSClientConfig } from "@aws-sdk/client-sqs";
import type { FinalizeRequestMiddleware, BuildMiddleware } from "@smithy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CredentialStore, type KnownCredentials } from "../../src/testing/core/credential-store.js";
import { FakeAwsError, startFakeService, type FakeRequest, type RunningService } from "../../src/testing/core/fake-service.js";
import { canonicalPath, canonicalQuery } from "../../src/testing/core/sigv4-canonical.js";
import { verifySigV4, type SigV4Expectation } from "../../src/testing/core/sigv4.js";
import { renderSqsError } from "../../src/testing/sqs/errors.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

// AWS's published SigV4 test suite ("get-vanilla", "get-vanilla-query-order-key-case").
const SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_NOW = Date.UTC(2015, 7, 30, 12, 36, 0);

function suiteRequest(pathAndQuery: string, signature: string, now = SUITE_NOW): FakeRequest {
  return {
    method: "GET",
    url: new URL(`http://example.amazonaws.com${pathAndQuery}`),
    host: "example.amazonaws.com",
    headers: {
      host: "example.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    },
    body: "",
    signal: new AbortController().signal,
    now: () => now,
  };
}

function codeOf(fn: () => unknown): { code: string; status: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof FakeAwsError) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected a FakeAwsError");
}

describe("verifySigV4 against AWS's test suite", () => {
  const store = new CredentialStore();
  store.add({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: SUITE_SECRET, arn: `arn:aws:iam::${ACCOUNT}:user/example`, account: ACCOUNT, issuer: "static" });

  it("accepts the published signatures", () => {
    const vanilla = suiteRequest("/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    expect(verifySigV4(vanilla, store, { service: "service" }).accessKeyId).toBe("AKIDEXAMPLE");
    const query = suiteRequest("/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    expect(verifySigV4(query, store, { service: "service", region: "us-east-1" }).arn).toContain("user/example");
  });

  it("rejects a signature with one character changed", () => {
    const request = suiteRequest("/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf32");
    expect(codeOf(() => verifySigV4(request, store, { service: "service" }))).toMatchObject({ code: "SignatureDoesNotMatch", status: 403 });
  });

  it("rejects a request dated more than 15 minutes away, with AWS's wording", () => {
    const late = suiteRequest("/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", SUITE_NOW + 16 * 60_000);
    expect(codeOf(() => verifySigV4(late, store, { service: "service" }))).toMatchObject({
      code: "SignatureDoesNotMatch",
      message: expect.stringMatching(/^Signature expired: 20150830T123600Z is now earlier than/),
    });
    const early = suiteRequest("/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", SUITE_NOW - 16 * 60_000);
    expect(codeOf(() => verifySigV4(early, store, { service: "service" })).message).toMatch(/^Signature not yet current/);
  });

  it("answers MissingAuthenticationToken and IncompleteSignature for missing or malformed headers", () => {
    const unsigned = suiteRequest("/", "x");
    delete unsigned.headers.authorization;
    expect(codeOf(() => verifySigV4(unsigned, store, { service: "service" }))).toMatchObject({ code: "MissingAuthenticationToken", status: 403 });
    const malformed = suiteRequest("/", "x");
    malformed.headers.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    expect(codeOf(() => verifySigV4(malformed, store, { service: "service" }))).toMatchObject({ code: "IncompleteSignature", status: 400 });
    const wrongScheme = suiteRequest("/", "x");
    wrongScheme.headers.authorization = "Basic dXNlcjpwYXNz";
    expect(codeOf(() => verifySigV4(wrongScheme, store, { service: "service" })).code).toBe("IncompleteSignature");
    const noDate = suiteRequest("/", "x");
    delete noDate.headers["x-amz-date"];
    expect(codeOf(() => verifySigV4(noDate, store, { service: "service" })).code).toBe("IncompleteSignature");
  });

  it("canonicalizes paths and queries as @smithy/signature-v4 does", () => {
    expect(canonicalPath("/")).toBe("/");
    expect(canonicalPath("/a/./b/../c//d/")).toBe("/a/c/d/");
    expect(canonicalPath("/my%20queue")).toBe("/my%2520queue");
    expect(canonicalQuery("?b=2&a=z%20z&a=y&X-Amz-Signature=abc&c")).toBe("a=y&a=z%20z&b=2&c=");
    expect(canonicalQuery("?k=%E2%9C%93&q=it's")).toBe("k=%E2%9C%93&q=it%27s");
  });
});

describe("verifySigV4 with the real SDK signing over HTTP", () => {
  const store = new CredentialStore();
  let expectation: SigV4Expectation = { service: "sqs", region: REGION };
  let lastCaller: KnownCredentials | undefined;
  let service: RunningService;
  let staticKeys: KnownCredentials;
  let temporary: KnownCredentials;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const key of Object.keys(process.env)) {
      if (key.startsWith("AWS_")) {
        savedEnv[key] = process.env[key];
        delete process.env[key];
      }
    }
    // A minimal JSON service: verifies, remembers who signed, answers ListQueues with nothing.
    service = await startFakeService({
      parse: (request) => ({
        action: "ListQueues",
        handle: () => {
          lastCaller = verifySigV4(request, store, expectation);
          return { status: 200, headers: { "content-type": "application/x-amz-json-1.0" }, body: "{}" };
        },
      }),
      renderError: (error) => renderSqsError(error),
      malformedReply: () => ({ status: 200, body: "{" }),
    });
    staticKeys = store.add({ accessKeyId: "AKIASTATICFAKE0001", secretAccessKey: "static-secret-value", arn: `arn:aws:iam::${ACCOUNT}:user/dev`, account: ACCOUNT, issuer: "static" });
    temporary = store.issue({ lifetimeSeconds: 3600, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`, account: ACCOUNT, issuer: "sts", now: Date.now() });
  });

  afterAll(async () => {
    await service.close();
    Object.assign(process.env, savedEnv);
  });

  beforeEach(() => {
    expectation = { service: "sqs", region: REGION };
    lastCaller = undefined;
  });

  function client(credentials: SQSClientConfig["credentials"], extra: Partial<SQSClientConfig> = {}): SQSClient {
    return new SQSClient({ region: REGION, endpoint: service.endpoint, credentials, maxAttempts: 1, ...extra });
  }

  async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error("expected the call to fail");
  }

  it("accepts static keys and temporary credentials with their session token", async () => {
    await client({ accessKeyId: staticKeys.accessKeyId, secretAccessKey: staticKeys.secretAccessKey }).send(new ListQueuesCommand({}));
    expect(lastCaller?.accessKeyId).toBe(staticKeys.accessKeyId);
    await client({ accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey, sessionToken: temporary.sessionToken }).send(
      new ListQueuesCommand({}),
    );
    expect(lastCaller?.issuer).toBe("sts");
  });

  it("rejects an unknown key and a missing, wrong or unexpected session token with InvalidClientTokenId", async () => {
    const cases = [
      client({ accessKeyId: "AKIANOTKNOWN0000000", secretAccessKey: "x" }),
      client({ accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey }),
      client({ accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey, sessionToken: "not-the-token" }),
      client({ accessKeyId: staticKeys.accessKeyId, secretAccessKey: staticKeys.secretAccessKey, sessionToken: "unexpected" }),
    ];
    for (const [i, c] of cases.entries()) {
      const error = await errorOf(c.send(new ListQueuesCommand({})));
      expect(error.name).toBe("InvalidClientTokenId");
      expect(error.$metadata?.httpStatusCode).toBe(403);
      expect(error.message).toMatch(/^The security token included in the request is invalid\./);
      // An unknown key says how to make the fake know it; a known key with a wrong token does not need to.
      if (i === 0) expect(error.message).toContain("fake.registerStaticKeys({ accessKeyId, secretAccessKey })");
      else expect(error.message).toBe("The security token included in the request is invalid.");
      expect(error.message).not.toContain(temporary.sessionToken!);
    }
  });

  it("rejects a wrong secret with SignatureDoesNotMatch and expired credentials with ExpiredToken", async () => {
    const tampered = await errorOf(client({ accessKeyId: staticKeys.accessKeyId, secretAccessKey: "wrong-secret" }).send(new ListQueuesCommand({})));
    expect(tampered.name).toBe("SignatureDoesNotMatch");
    expect(tampered.message).not.toContain(staticKeys.secretAccessKey);

    const shortLived = store.issue({ lifetimeSeconds: 3600, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s2`, account: ACCOUNT, issuer: "sts", now: Date.now() });
    store.expire(shortLived.accessKeyId, Date.now());
    const expired = await errorOf(
      client({ accessKeyId: shortLived.accessKeyId, secretAccessKey: shortLived.secretAccessKey, sessionToken: shortLived.sessionToken }).send(
        new ListQueuesCommand({}),
      ),
    );
    expect(expired.name).toBe("ExpiredToken");
    expect(expired.$metadata?.httpStatusCode).toBe(403);
  });

  it("rejects a signature scoped to another region or service", async () => {
    const keys = { accessKeyId: staticKeys.accessKeyId, secretAccessKey: staticKeys.secretAccessKey };
    const otherRegion = await errorOf(client(keys, { region: "eu-west-1" }).send(new ListQueuesCommand({})));
    expect(otherRegion.name).toBe("SignatureDoesNotMatch");
    expect(otherRegion.message).toMatch(/scoped to a valid region/);
    expectation = { service: "sts" };
    const otherService = await errorOf(client(keys).send(new ListQueuesCommand({})));
    expect(otherService.message).toMatch(/scoped to correct service: 'sts'/);
  });

  it("reports clock skew with AWS's wording, and the Date header lets the SDK correct its clock", async () => {
    const keys = { accessKeyId: staticKeys.accessKeyId, secretAccessKey: staticKeys.secretAccessKey };
    const behind = await errorOf(client(keys, { systemClockOffset: -20 * 60_000 }).send(new ListQueuesCommand({})));
    expect(behind.name).toBe("SignatureDoesNotMatch");
    expect(behind.message).toMatch(/^Signature expired/);

    // The SDK re-samples its clock offset from the response's Date header, so the next call is signed right.
    const ahead = client(keys, { systemClockOffset: 20 * 60_000 });
    const first = await errorOf(ahead.send(new ListQueuesCommand({})));
    expect(first.message).toMatch(/^Signature not yet current/);
    expect(Math.abs(ahead.config.systemClockOffset)).toBeLessThan(5_000);
    await ahead.send(new ListQueuesCommand({}));
    expect(lastCaller?.accessKeyId).toBe(staticKeys.accessKeyId);
  });

  it("verifies escaped paths and multi-valued queries exactly as the SDK signs them", async () => {
    const c = client({ accessKeyId: staticKeys.accessKeyId, secretAccessKey: staticKeys.secretAccessKey });
    const reshape: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
      const request = args.request as { path: string; query: Record<string, string | string[]> };
      request.path = "/a%20b/./c/../it's(1)*!/";
      request.query = { b: "2", a: ["z z", "y"], "ü": "✓/=&", empty: "" };
      return next(args);
    };
    c.middlewareStack.add(reshape, { step: "build", name: "reshapeForTest" });
    await c.send(new ListQueuesCommand({}));
    expect(lastCaller?.accessKeyId).toBe(staticKeys.accessKeyId);
  });

  it("rejects a body changed after signing", async () => {
    const c = client({ accessKeyId: staticKeys.accessKeyId, secretAccessKey: staticKeys.secretAccessKey });
    const tamper: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
      (args.request as { body: string }).body = JSON.stringify({ QueueNamePrefix: "tampered" });
      return next(args);
    };
    c.middlewareStack.addRelativeTo(tamper, { relation: "after", toMiddleware: "httpSigningMiddleware", name: "tamperForTest" });
    const error = await errorOf(c.send(new ListQueuesCommand({ QueueNamePrefix: "original" })));
    expect(error.name).toBe("SignatureDoesNotMatch");
  });

  it("answers an unsigned request with MissingAuthenticationToken in the service's error shape", async () => {
    const response = await fetch(service.endpoint, { method: "POST", headers: { "x-amz-target": "AmazonSQS.ListQueues" }, body: "{}" });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-query-error")).toBe("MissingAuthenticationToken;Sender");
    expect(await response.json()).toMatchObject({ __type: expect.stringContaining("MissingAuthenticationToken") });
  });
});
