/**
 * A host clock that runs slow (issue 20, "expiry seen as AWS sees it"): AWS's clock is 10 minutes ahead, so
 * credentials that look valid here for another ~10 minutes are already expired for AWS. Once an attached
 * client has measured the offset (the SDK's `systemClockOffset`, from the `Date` of AWS's answers), the
 * refresher judges expiry on AWS's clock and replaces credentials before AWS rejects them.
 *
 * The fakes share this host's clock, so AWS's view is played by the test: every response's `Date` says
 * "10 minutes later" (what the SDK measures the offset from), and each key is expired in the fake SQS when
 * AWS's clock says so (`fake.expireCredentials`), 6 s after it was issued although STS gave it 606 s.
 */
import { SQSClient, SendMessageCommand, type ServiceInputTypes, type ServiceOutputTypes } from "@aws-sdk/client-sqs";
import type { DeserializeMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRefresher } from "../../src/refresh/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateAwsEnv, sleep, webIdentitySource } from "./e2e-helpers.js";

const SKEW_MS = 10 * 60_000;
const AWS_LIFETIME_MS = 6_000;

let restoreEnv: () => void;
let fake: FakeAws;
let tokenFile: string;

beforeAll(async () => {
  restoreEnv = isolateAwsEnv();
  fake = await startFakeAws();
  tokenFile = await fake.writeWebIdentityToken();
});

afterAll(async () => {
  await fake?.close();
  restoreEnv?.();
});

/** Every answer's `Date` header as AWS's clock (ahead by SKEW_MS) would write it. */
const awsClockAhead: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
  const rewrite = (response: unknown): void => {
    const headers = (response as { headers?: Record<string, string> } | undefined)?.headers;
    if (headers !== undefined) headers.date = new Date(Date.now() + SKEW_MS).toUTCString();
  };
  try {
    const output = await next(args);
    rewrite(output.response);
    return output;
  } catch (error) {
    rewrite((error as { $response?: unknown }).$response);
    throw error;
  }
};

describe("clock skew: expiry judged on the offset the client measured", () => {
  it("with AWS's clock 10 min ahead, credentials are replaced before AWS rejects them: no ExpiredToken answer, no failed request", async () => {
    fake.sts.setCredentialLifetime((SKEW_MS + AWS_LIFETIME_MS) / 1000);
    const timers: NodeJS.Timeout[] = [];
    const credentials = createRefresher(webIdentitySource(fake, tokenFile, "clock-skew"), {
      // AWS's view: each key dies AWS_LIFETIME_MS after it is issued.
      onRefresh: () =>
        void credentials().then((c) => {
          timers.push(setTimeout(() => fake.expireCredentials(c.accessKeyId), AWS_LIFETIME_MS));
        }),
    });
    const sqs = credentials.attach(new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint }));
    sqs.middlewareStack.add(awsClockAhead, { step: "deserialize", priority: "low", name: "testAwsClockAhead" });
    try {
      const queueUrl = fake.sqs.createQueue("clock-skew");
      await credentials.ready;
      const failures: unknown[] = [];
      const until = Date.now() + 3 * AWS_LIFETIME_MS;
      while (Date.now() < until) {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "tick" })).catch((e: unknown) => failures.push(e));
        await sleep(100);
      }

      expect(failures).toEqual([]);
      const rejected = fake.sqs.calls.filter((c) => c.action === "SendMessage" && c.errorCode === "ExpiredToken");
      expect(rejected).toEqual([]);
      expect(credentials.status().refreshCount).toBeGreaterThanOrEqual(3);
      expect(Math.abs((sqs.config.systemClockOffset ?? 0) - SKEW_MS)).toBeLessThan(5_000);
      expect(Math.abs((credentials.status().clockOffsetMs ?? 0) - SKEW_MS)).toBeLessThan(5_000);

    } finally {
      for (const t of timers) clearTimeout(t);
      credentials.stop();
      sqs.destroy();
    }
  }, 30_000);
});
