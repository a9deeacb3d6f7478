/**
 * Presigned (query-string) SigV4 on STS and SQS, STS GetSessionToken / GetAccessKeyInfo, AWS-format keys,
 * and paths as AWS reads them (trailing and duplicate slashes, a bare `//`).
 */
import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, SourceData } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountOfAccessKeyId } from "../../src/testing/core/access-keys.js";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";

class Sha256 implements Checksum {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", Buffer.from(secret as Uint8Array));
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest());
  }
  reset(): void {}
}

let fake: FakeAws;
let keys: KnownCredentials;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/presigner" });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await fake.close();
});

function sts(credentials: Pick<KnownCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken"> = keys): STSClient {
  const client = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** A presigned URL as `aws eks get-token` and IAM authenticators make them: SigV4 in the query string. */
async function presign(
  service: "sts" | "sqs",
  endpoint: string,
  query: Record<string, string>,
  init: { method?: string; expiresIn?: number; signingDate?: Date; credentials?: KnownCredentials; body?: string } = {},
): Promise<{ url: string; method: string; headers: Record<string, string>; body: string | undefined }> {
  const { hostname, port } = new URL(endpoint);
  const credentials = init.credentials ?? keys;
  const signer = new SignatureV4({
    service,
    region: fake.region,
    sha256: Sha256,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) },
  });
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { host: `${hostname}:${port}`, ...(init.body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}) };
  const signed = await signer.presign(
    { method, protocol: "http:", hostname, port: Number(port), path: "/", query, headers, ...(init.body !== undefined ? { body: init.body } : {}) },
    { expiresIn: init.expiresIn ?? 60, ...(init.signingDate ? { signingDate: init.signingDate } : {}) },
  );
  const search = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, "%20");
  return { url: `${endpoint}/?${search}`, method, headers: signed.headers, body: init.body };
}

async function send(p: { url: string; method: string; headers?: Record<string, string>; body?: string | undefined }): Promise<{ status: number; text: string }> {
  const response = await fetch(p.url, { method: p.method, ...(p.headers?.["content-type"] ? { headers: { "content-type": p.headers["content-type"] } } : {}), ...(p.body !== undefined ? { body: p.body } : {}) });
  return { status: response.status, text: await response.text() };
}

const codeOf = (xml: string): string | undefined => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

describe("presigned SigV4 (query string)", () => {
  it("a presigned GetCallerIdentity GET URL proves the identity of whoever signed it", async () => {
    const url = await presign("sts", fake.sts.endpoint, { Action: "GetCallerIdentity", Version: "2011-06-15" });
    expect(url.url).toContain("X-Amz-Signature=");
    const answer = await send(url);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("<Arn>arn:aws:iam::123456789012:user/presigner</Arn>");
    expect(fake.sts.calls.at(-1)).toMatchObject({ action: "GetCallerIdentity", accessKeyId: keys.accessKeyId, status: 200 });
  });

  it("presigned POST with a form body, and presigned with temporary credentials (X-Amz-Security-Token)", async () => {
    const post = await presign("sts", fake.sts.endpoint, {}, { method: "POST", body: "Action=GetCallerIdentity&Version=2011-06-15" });
    expect((await send(post)).status).toBe(200);
    const session = await sts().send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const temporary: KnownCredentials = {
      ...keys,
      accessKeyId: session.Credentials!.AccessKeyId!,
      secretAccessKey: session.Credentials!.SecretAccessKey!,
      sessionToken: session.Credentials!.SessionToken!,
    };
    const url = await presign("sts", fake.sts.endpoint, { Action: "GetCallerIdentity", Version: "2011-06-15" }, { credentials: temporary });
    expect(url.url).toContain("X-Amz-Security-Token=");
    const answer = await send(url);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("<Arn>arn:aws:iam::123456789012:user/presigner</Arn>");
  });

  it("a tampered presigned URL is rejected as SignatureDoesNotMatch: another action, a longer expiry, another signature", async () => {
    const { url, method } = await presign("sts", fake.sts.endpoint, { Action: "GetCallerIdentity", Version: "2011-06-15" }, { expiresIn: 60 });
    const tampered = [
      url.replace("Action=GetCallerIdentity", "Action=GetSessionToken"),
      url.replace("X-Amz-Expires=60", "X-Amz-Expires=3600"),
      url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`),
    ];
    for (const t of tampered) {
      expect(t).not.toBe(url);
      const answer = await send({ url: t, method });
      expect(answer.status, t).toBe(403);
      expect(codeOf(answer.text), t).toBe("SignatureDoesNotMatch");
    }
  });

  it("X-Amz-Expires is enforced: past it the URL is refused; malformed or over a week is a parameter error", async () => {
    const signedAt = new Date(Date.now() - 120_000);
    const stale = await presign("sts", fake.sts.endpoint, { Action: "GetCallerIdentity", Version: "2011-06-15" }, { expiresIn: 60, signingDate: signedAt });
    const expired = await send(stale);
    expect(expired.status).toBe(403);
    expect(expired.text).toContain("<Code>AccessDenied</Code>");
    expect(expired.text).toContain("Request has expired");
    // The same age within its X-Amz-Expires is fine.
    const fresh = await presign("sts", fake.sts.endpoint, { Action: "GetCallerIdentity", Version: "2011-06-15" }, { expiresIn: 300, signingDate: signedAt });
    expect((await send(fresh)).status).toBe(200);

    // Signers refuse to make these; a hand-edited URL carries them.
    const url = await presign("sts", fake.sts.endpoint, { Action: "GetCallerIdentity", Version: "2011-06-15" }, { expiresIn: 60 });
    for (const expires of ["604801", "soon", "0"]) {
      const answer = await send({ ...url, url: url.url.replace("X-Amz-Expires=60", `X-Amz-Expires=${expires}`) });
      expect(answer.status, expires).toBe(400);
      expect(codeOf(answer.text), expires).toBe("AuthorizationQueryParametersError");
    }
  });

  it("SQS takes presigned Query requests too, GET and POST, and answers in XML", async () => {
    const queueUrl = fake.sqs.createQueue("presigned");
    const list = await presign("sqs", fake.sqs.endpoint, { Action: "ListQueues", Version: "2012-11-05" });
    const listed = await send(list);
    expect(listed.status).toBe(200);
    expect(listed.text).toContain(`<QueueUrl>${queueUrl}</QueueUrl>`);
    const post = await presign("sqs", fake.sqs.endpoint, {}, { method: "POST", body: `Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=hello` });
    const sent = await send(post);
    expect(sent.status).toBe(200);
    expect(sent.text).toMatch(/<SendMessageResponse xmlns="https:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><SendMessageResult><MessageId>/);
    expect(fake.sqs.messages("presigned").map((m) => m.body)).toEqual(["hello"]);
    const tampered = await send({ ...list, url: list.url.replace("Action=ListQueues", "Action=PurgeQueue") });
    expect(codeOf(tampered.text)).toBe("SignatureDoesNotMatch");
  });
});

describe("STS GetSessionToken and GetAccessKeyInfo", () => {
  it("GetSessionToken issues temporary credentials of the same user, which SQS and STS accept", async () => {
    const out = await sts().send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const c = out.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(c.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    expect(c.Expiration!.getTime() - Date.now()).toBeGreaterThan(880_000);
    const who = await sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(keys.arn);
    expect(fake.sts.issued.at(-1)).toMatchObject({ action: "GetSessionToken", accessKeyId: c.AccessKeyId, roleArn: keys.arn });
  });

  it("GetSessionToken refuses session credentials and out-of-range durations as STS does", async () => {
    const out = await sts().send(new GetSessionTokenCommand({}));
    const c = out.Credentials!;
    const again = sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }).send(new GetSessionTokenCommand({}));
    await expect(again).rejects.toMatchObject({ name: "AccessDenied", message: "Cannot call GetSessionToken with session credentials" });
    await expect(sts().send(new GetSessionTokenCommand({ DurationSeconds: 600 }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
  });

  it("GetAccessKeyInfo names the account of any key, known or only well-formed (AWS encodes it in the id)", async () => {
    const client = sts();
    expect((await client.send(new GetAccessKeyInfoCommand({ AccessKeyId: keys.accessKeyId }))).Account).toBe("123456789012");
    const other = await startFakeAws({ accountId: "210987654321" });
    try {
      const foreign = other.registerStaticKeys().accessKeyId;
      expect(accountOfAccessKeyId(foreign)).toBe("210987654321");
      expect((await client.send(new GetAccessKeyInfoCommand({ AccessKeyId: foreign }))).Account).toBe("210987654321");
    } finally {
      await other.close();
    }
    await expect(client.send(new GetAccessKeyInfoCommand({ AccessKeyId: "short" }))).rejects.toMatchObject({ name: "ValidationError" });
  });
});

/** A raw request with an exact request target (fetch would normalize `//`). */
function raw(endpoint: string, method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path: target, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("paths as AWS reads them", () => {
  it("IMDS: duplicate slashes (an endpoint ending in /) and trailing slashes on leaves (botocore's region lookup)", async () => {
    const token = await raw(fake.imds.endpoint, "PUT", "//latest/api/token", { "x-aws-ec2-metadata-token-ttl-seconds": "60" });
    expect(token.status).toBe(200);
    const auth = { "x-aws-ec2-metadata-token": token.body };
    expect(await raw(fake.imds.endpoint, "GET", "/latest/meta-data/placement/availability-zone/", auth)).toEqual({ status: 200, body: "us-east-1a" });
    expect(await raw(fake.imds.endpoint, "GET", "//latest//meta-data/placement/region", auth)).toEqual({ status: 200, body: "us-east-1" });
    expect(await raw(fake.imds.endpoint, "GET", "/latest/meta-data/iam/security-credentials", auth)).toEqual({ status: 200, body: fake.imds.roleName });
    const role = await raw(fake.imds.endpoint, "GET", `/latest/meta-data/iam/security-credentials/${fake.imds.roleName}/`, auth);
    expect(JSON.parse(role.body)).toMatchObject({ Code: "Success" });
    expect((await raw(fake.imds.endpoint, "GET", "/latest/meta-data/nothing-here/", auth)).status).toBe(404);
  });

  it("a bare // (and other odd targets) is answered, never a dropped connection, on every fake", async () => {
    for (const service of ["sts", "sqs", "imds", "container"] as const) {
      for (const target of ["//", "///", "//?a=b"]) {
        const answer = await raw(fake[service].endpoint, "GET", target);
        expect(answer.status, `${service} ${target}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${service} ${target}`).toBeLessThan(500);
      }
    }
  });

  it("the SDK with endpoints that end in / still reaches STS and SQS", async () => {
    const client = new STSClient({ region: fake.region, endpoint: `${fake.sts.endpoint}/`, credentials: keys, maxAttempts: 1 });
    clients.push(client);
    expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe(keys.arn);
  });
});
