/**
 * Garbage on the wire, to every fake: each bad request gets an answer in the service's own error shape
 * (XML for STS, AWS JSON for SQS, IMDS's HTML page, the container agent's JSON), on the same keep-alive
 * socket the client then reuses, and the fake keeps serving real SDK calls afterwards.
 */
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListQueuesCommand, SendMessageCommand, SQSClient, type ServiceInputTypes, type ServiceOutputTypes } from "@aws-sdk/client-sqs";
import { fromContainerMetadata, fromInstanceMetadata } from "@aws-sdk/credential-providers";
import type { BuildMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateAwsEnv } from "./support/isolated-aws-env.js";

let fake: FakeAws;
let keys: KnownCredentials;
let restoreEnv: () => void;
// One socket per host, kept alive: a request that leaves it unusable makes the next one fail.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  restoreEnv = isolateAwsEnv();
  fake = await startFakeAws();
  keys = fake.registerStaticKeys();
});

afterAll(async () => {
  agent.destroy();
  await fake.close();
  restoreEnv();
});

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface RawResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

function send(endpoint: string, raw: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: raw.method ?? "POST", path: raw.path ?? "/", headers: raw.headers ?? {}, agent },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], body }));
      },
    );
    req.on("error", reject);
    req.end(raw.body);
  });
}

const HUGE = "x".repeat(7 * 1024 * 1024);

/** Requests no SDK would send: bad bodies, content types, targets, methods, paths, auth headers, sizes. */
const GARBAGE: Record<string, RawRequest> = {
  "empty POST": {},
  "invalid JSON": { headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" }, body: "{not json" },
  "binary with a wrong content type": { headers: { "content-type": "image/png" }, body: Buffer.from([0, 1, 2, 255, 254]) },
  "body over the size limit": { headers: { "content-type": "application/x-amz-json-1.0" }, body: HUGE },
  "unknown target": { headers: { "x-amz-target": "Nope.Nothing" }, body: "{}" },
  "truncated Authorization": { headers: { authorization: "AWS4-HMAC-SHA256 Credential=", "x-amz-target": "AmazonSQS.ListQueues" }, body: "{}" },
  "Authorization with a bad date": {
    headers: {
      authorization: "AWS4-HMAC-SHA256 Credential=AKIA/20200101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
      "x-amz-date": "yesterday",
    },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  },
  "odd method and path": { method: "DELETE", path: "/%%%/../..?a=%zz&&=" },
  "form body with a broken escape": { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=%E0%A4%A&Version=2011-06-15" },
};

/** What each fake's errors look like. */
const SHAPES: Record<string, (r: RawResponse, raw: RawRequest) => void> = {
  sts: (r) => expect(r.body).toMatch(/^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">[\s\S]*<Code>\w+<\/Code>/),
  // SQS answers in the protocol the request spoke: JSON for a target or a JSON content type, Query XML otherwise.
  sqs: (r, raw) => {
    const headers = raw.headers ?? {};
    if (headers["x-amz-target"] !== undefined || /^application\/x-amz-json-/.test(headers["content-type"] ?? "")) {
      expect(r.contentType).toBe("application/x-amz-json-1.0");
      expect(JSON.parse(r.body)).toMatchObject({ __type: expect.stringMatching(/#\w+$/) });
    } else {
      expect(r.contentType).toBe("text/xml");
      expect(r.body).toMatch(/^<\?xml version="1\.0"\?><ErrorResponse xmlns="https:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>[\w.]+<\/Code>/);
    }
  },
  imds: (r) => expect(r.body).toMatch(/<title>\d{3} - [\w ]+<\/title>/),
  container: (r) => expect(JSON.parse(r.body)).toMatchObject({ Code: expect.any(String), Message: expect.any(String) }),
};

describe("bad input on the wire, to every fake", () => {
  for (const service of ["sts", "sqs", "imds", "container"] as const) {
    it(`${service}: every bad request gets an error in the service's shape, on a socket that stays usable`, async () => {
      const endpoint = fake[service].endpoint;
      for (const [label, raw] of Object.entries(GARBAGE)) {
        const response = await send(endpoint, raw).catch((error: unknown) => {
          throw new Error(`${service}, ${label}: ${String(error)}`);
        });
        expect(response.status, `${service}, ${label}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${service}, ${label}`).toBeLessThan(600);
        SHAPES[service]!(response, raw);
        if (label === "body over the size limit") expect(response.status).toBe(413);
      }
    });
  }

  it("a raw HTTP/1.0 request without Host and bytes that are not HTTP leave every fake serving", async () => {
    for (const service of ["sts", "sqs", "imds", "container"] as const) {
      const { port } = new URL(fake[service].endpoint);
      for (const bytes of ["GET / HTTP/1.0\r\n\r\n", "\u0000\u0001 hello\r\n\r\n"]) {
        const answer = await new Promise<string>((resolve) => {
          const socket = connect(Number(port), "127.0.0.1", () => socket.end(bytes));
          let data = "";
          socket.setEncoding("utf8").on("data", (chunk: string) => (data += chunk));
          socket.on("close", () => resolve(data));
          socket.on("error", () => resolve(data));
        });
        expect(answer, `${service}: ${JSON.stringify(bytes)}`).toMatch(/^HTTP\/1\.[01] [45]\d\d /);
      }
    }
  });

  it("signed garbage to SQS: the SDK raises SQS's exception names, and the fake keeps serving", async () => {
    /** An SQS client whose request is rewritten after serialization, before signing: it is validly signed garbage. */
    const rewritten = (change: (request: { body: unknown; headers: Record<string, string> }) => void): SQSClient => {
      const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: keys, maxAttempts: 1 });
      const middleware: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
        const request = args.request as { body: unknown; headers: Record<string, string> };
        change(request);
        // Keep the framing honest: a wrong Content-Length would test the HTTP parser, not the fake.
        const { body } = request;
        const length = typeof body === "string" ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : undefined;
        if (length !== undefined) request.headers["content-length"] = String(length);
        return next(args);
      };
      client.middlewareStack.add(middleware, { step: "build", name: "garbageForTest" });
      return client;
    };
    const queueUrl = fake.sqs.createQueue("garbage");
    const cases: [string, (r: { body: unknown; headers: Record<string, string> }) => void, string][] = [
      ["invalid JSON", (r) => (r.body = "{not json"), "SerializationException"],
      ["a JSON array", (r) => (r.body = "[1,2]"), "SerializationException"],
      ["a member of the wrong type", (r) => (r.body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: 42 })), "SerializationException"],
      ["an empty body", (r) => (r.body = ""), "MissingParameter"],
      ["an unknown target", (r) => (r.headers["x-amz-target"] = "AmazonSQS.MakeCoffee"), "UnknownOperationException"],
      ["no target", (r) => delete r.headers["x-amz-target"], "UnknownOperationException"],
      ["a body over the size limit", (r) => (r.body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: HUGE })), "RequestEntityTooLarge"],
    ];
    for (const [label, change, expected] of cases) {
      const client = rewritten(change);
      const error = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "fine" })).then(
        () => undefined,
        (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
      );
      client.destroy();
      expect(error?.name, label).toBe(expected);
      expect(error?.$metadata?.httpStatusCode, label).toBeGreaterThanOrEqual(400);
    }
    expect(fake.sqs.messageCount("garbage")).toBe(0);
  });

  it("after all that, every fake still answers the real SDK", async () => {
    const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: keys, maxAttempts: 1 });
    const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials: keys, maxAttempts: 1 });
    try {
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toContain(fake.sqs.queueUrl("garbage"));
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(keys.arn);
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = fake.imds.endpoint;
      delete process.env.AWS_EC2_METADATA_DISABLED;
      expect((await fromInstanceMetadata()()).accessKeyId).toMatch(/^ASIA/);
      Object.assign(process.env, {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.env.AWS_CONTAINER_AUTHORIZATION_TOKEN,
      });
      expect((await fromContainerMetadata()()).accessKeyId).toMatch(/^ASIA/);
    } finally {
      sqs.destroy();
      sts.destroy();
    }
  });
});
