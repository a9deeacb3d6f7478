/**
 * Credentials AWS rejects while they look valid (issue 20): a refresher or swapper wired to a real SDK v3
 * client with `attach()` recovers on the very request that was rejected, with one STS call; no storm, no
 * loop when new credentials are rejected too.
 */
import { SQSClient, SendMessageCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { createRefresher, createSwapper, type RefreshErrorEvent, type Refresher } from "../../src/refresh/index.js";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { capturingLogger } from "../support/capturing-logger.js";
import { sleep, useFakeAwsAndCatchUnhandled, webIdentitySource } from "./e2e-helpers.js";

const e2e = useFakeAwsAndCatchUnhandled("rejection");

const assumeCalls = (): number => e2e.fake.sts.count("AssumeRoleWithWebIdentity");
const send = (sqs: SQSClient, body: string) => sqs.send(new SendMessageCommand({ QueueUrl: e2e.queueUrl, MessageBody: body }));

function sqsClient(): SQSClient {
  const sqs = new SQSClient({ region: e2e.fake.region, endpoint: e2e.fake.sqs.endpoint });
  e2e.cleanups.push(() => sqs.destroy());
  return sqs;
}

function refresher(options: Parameters<typeof createRefresher>[1] = {}): Refresher {
  const r = createRefresher(webIdentitySource(e2e.fake, e2e.tokenFile), options);
  e2e.cleanups.push(() => r.stop());
  return r;
}

/** Wires a client with `provider.attach()`, then has AWS reject the credentials it holds; returns the client, the rejected key and the STS calls before. */
async function attachAndReject(provider: Refresher): Promise<{ sqs: SQSClient; rejectedKey: string; before: number }> {
  const sqs = provider.attach(sqsClient());
  await provider.ready;
  const rejectedKey = (await provider()).accessKeyId;
  const before = assumeCalls();
  e2e.fake.expireCredentials(rejectedKey);
  return { sqs, rejectedKey, before };
}

describe("attach(): a request rejected for its credentials is retried once with new ones", () => {
  it("after fake.expireCredentials(key), the very next request succeeds, with one STS call", async () => {
    const credentials = refresher();
    const sqs = credentials.attach(sqsClient());
    await credentials.ready;
    await send(sqs, "before");
    const rejectedKey = (await credentials()).accessKeyId;
    const before = assumeCalls();

    e2e.fake.expireCredentials(rejectedKey);
    const failures: unknown[] = [];
    for (let i = 0; i < 20; i++) await send(sqs, `after ${i}`).catch((e: unknown) => failures.push(e));

    expect(failures).toEqual([]);
    expect(assumeCalls() - before).toBe(1);
    expect((await credentials()).accessKeyId).not.toBe(rejectedKey);
    const status = credentials.status();
    expect(status.state).toBe("ready");
    expect(status.lastRejection).toMatchObject({ code: "ExpiredToken", accessKeyId: `${rejectedKey.slice(0, 4)}…${rejectedKey.slice(-4)}` });
    // The rejected requests were sent again, each once: 1 + 20 messages, as if nothing had happened.
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: e2e.queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
    expect(Number(attrs.Attributes?.ApproximateNumberOfMessages)).toBeGreaterThanOrEqual(21);
  });

  it("the env-gated chain under a refresher (deployed, web identity): the chain fetches again, the request succeeds", async () => {
    const chain = fromEnvGatedChain({
      env: { APP_ENV: "production", AWS_REGION: e2e.fake.region, AWS_ROLE_ARN: `arn:aws:iam::${e2e.fake.accountId}:role/chain`, AWS_WEB_IDENTITY_TOKEN_FILE: e2e.tokenFile },
      webIdentity: { endpoint: e2e.fake.sts.endpoint },
    });
    e2e.cleanups.push(() => chain.destroy());
    const credentials = createRefresher(chain);
    e2e.cleanups.push(() => credentials.stop());
    const { sqs, rejectedKey, before } = await attachAndReject(credentials);

    await expect(send(sqs, "after")).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(assumeCalls() - before).toBe(1);
    expect((await credentials()).accessKeyId).not.toBe(rejectedKey);
  });

  it("50 requests rejected at once: one fetch, none of them fails", async () => {
    const credentials = refresher();
    const sqs = credentials.attach(sqsClient());
    await credentials.ready;
    const rejectedKey = (await credentials()).accessKeyId;
    const before = assumeCalls();
    e2e.fake.sts.faults.setLatency(200); // the fetch is still running when all 50 are rejected
    e2e.fake.expireCredentials(rejectedKey);

    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => send(sqs, `burst ${i}`)));

    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(assumeCalls() - before).toBe(1);
  });

  it("a swapper's attach() re-points the client and recovers the same way (one rebuild)", async () => {
    let builds = 0;
    const swapper = createSwapper(() => {
      builds += 1;
      return webIdentitySource(e2e.fake, e2e.tokenFile, `swap-${builds}`);
    });
    e2e.cleanups.push(() => swapper.stop());
    const { sqs, before } = await attachAndReject(swapper);

    await expect(send(sqs, "after")).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(assumeCalls() - before).toBe(1);
    expect(builds).toBe(2);
  });

  it("AccessDenied is not a rejection of the credentials: nothing is invalidated or retried", async () => {
    const credentials = refresher();
    const sqs = credentials.attach(sqsClient());
    await credentials.ready;
    const before = assumeCalls();
    const sends = e2e.fake.sqs.calls.length;
    e2e.fake.sqs.faults.failNext(1, { status: 403, code: "AccessDenied", message: "not allowed" }, { action: "SendMessage" });

    await expect(send(sqs, "denied")).rejects.toMatchObject({ name: "AccessDenied" });
    expect(assumeCalls() - before).toBe(0);
    expect(e2e.fake.sqs.calls.length - sends).toBe(1);
    expect(credentials.status().lastRejection).toBeUndefined();
  });
});

describe("no storm, no loop", () => {
  it("every new key rejected too: bounded STS calls over 10 s of load; the caller gets AWS's error, explained; status() says rejected", async () => {
    const logger = capturingLogger();
    const events: RefreshErrorEvent[] = [];
    const credentials = refresher({ rejectionRefreshIntervalMs: 2_000, logger, onRefreshError: (e) => events.push(e) });
    const sqs = credentials.attach(sqsClient());
    await credentials.ready;
    // Revoked: AWS rejects every key of this role as soon as it is issued.
    const storm = setInterval(() => void credentials().then((c) => e2e.fake.expireCredentials(c.accessKeyId), () => undefined), 5);
    e2e.cleanups.push(() => clearInterval(storm));
    await sleep(20);
    const before = assumeCalls();
    const errors: unknown[] = [];
    let sent = 0;
    const until = Date.now() + 10_000;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        sent += 1;
        await send(sqs, "storm").catch((e: unknown) => errors.push(e));
        await sleep(20);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    clearInterval(storm);

    const calls = assumeCalls() - before;
    // One rejection-driven fetch per 2 s at most: 6 in 10 s (7 if the last requests end just past it); no
    // scheduled refresh of 1-hour credentials. Without the limit this is hundreds.
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(7);
    expect(sent).toBeGreaterThan(50);
    expect(errors.length).toBeGreaterThan(0);
    const error = errors[errors.length - 1] as Error & { awscredsRejection?: unknown };
    expect(error.name).toBe("ExpiredToken");
    expect(error.message).toMatch(/awscreds: AWS rejected the credentials .*\(ExpiredToken\)/);
    expect(error.message).toMatch(/clock offset|clock/);
    expect(error.awscredsRejection).toMatchObject({ code: "ExpiredToken" });
    expect(credentials.status().state).toBe("rejected");
    expect(credentials.status().lastRejection?.code).toBe("ExpiredToken");
    expect(events.some((e) => e.reason === "rejected")).toBe(true);
    expect(logger.lines.some((l) => /rejected/.test(l.text))).toBe(true);
  }, 20_000);
});
