/**
 * `curl --aws-sigv4` (curl's own SigV4 signer, Debian's curl) against the fakes: STS and SQS (Query and
 * JSON), with long-lived and session credentials, and a wrong secret refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { clientEnv, CURL, run } from "./support/clients.js";

let fake: FakeAws;
let keys: KnownCredentials;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/curl" });
});
afterAll(() => fake.close());

async function curl(service: "sts" | "sqs", args: string[], k: Pick<KnownCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken"> = keys) {
  const endpoint = service === "sts" ? fake.sts.endpoint : fake.sqs.endpoint;
  const token = k.sessionToken !== undefined ? ["-H", `x-amz-security-token: ${k.sessionToken}`] : [];
  const out = await run(CURL, ["-sS", "-w", "\n%{http_code}", "--aws-sigv4", `aws:amz:${fake.region}:${service}`, "--user", `${k.accessKeyId}:${k.secretAccessKey}`, ...token, ...args, `${endpoint}/`], clientEnv());
  const lines = out.stdout.split("\n");
  return { status: Number(lines.pop()), body: lines.join("\n"), stderr: out.stderr };
}

describe("curl --aws-sigv4", () => {
  it("STS GetCallerIdentity (form POST)", async () => {
    const out = await curl("sts", ["-d", "Action=GetCallerIdentity&Version=2011-06-15"]);
    expect(out.status).toBe(200);
    expect(out.body).toContain(`<Arn>${keys.arn}</Arn>`);
  });
  it("STS GetSessionToken, then GetCallerIdentity with the session credentials (x-amz-security-token)", async () => {
    const out = await curl("sts", ["-d", "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900"]);
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(out.body)?.[1];
    const session = { accessKeyId: field("AccessKeyId")!, secretAccessKey: field("SecretAccessKey")!, sessionToken: field("SessionToken")! };
    expect(session.accessKeyId).toMatch(/^ASIA/);
    const who = await curl("sts", ["-d", "Action=GetCallerIdentity&Version=2011-06-15"], session);
    expect(who.status).toBe(200);
    expect(who.body).toContain(`<Arn>${keys.arn}</Arn>`);
  });
  it("SQS Query: CreateQueue and SendMessage (form POST), XML answers", async () => {
    const created = await curl("sqs", ["-d", "Action=CreateQueue&Version=2012-11-05&QueueName=curl-q"]);
    expect(created.status).toBe(200);
    expect(created.body).toContain(`<QueueUrl>${fake.sqs.queueUrl("curl-q")}</QueueUrl>`);
    const sent = await curl("sqs", ["-d", `Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(fake.sqs.queueUrl("curl-q"))}&MessageBody=hello%20curl`]);
    expect(sent.status).toBe(200);
    expect(fake.sqs.messages("curl-q").map((m) => m.body)).toEqual(["hello curl"]);
  });
  it("SQS JSON: ListQueues with X-Amz-Target", async () => {
    const out = await curl("sqs", ["-H", "x-amz-target: AmazonSQS.ListQueues", "-H", "content-type: application/x-amz-json-1.0", "-d", "{}"]);
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body)).toMatchObject({ QueueUrls: expect.arrayContaining([fake.sqs.queueUrl("curl-q")]) });
  });
  it("a wrong secret: SignatureDoesNotMatch", async () => {
    const out = await curl("sts", ["-d", "Action=GetCallerIdentity&Version=2011-06-15"], { ...keys, secretAccessKey: "wrong" });
    expect(out.status).toBe(403);
    expect(out.body).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});
