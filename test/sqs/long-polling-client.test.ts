import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type ReceiveMessageCommandOutput } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLongPollingClient, longPollingInfo } from "../../src/sqs/index.js";
import { NOT_CARRIED_SETTINGS } from "../../src/sqs/long-polling-client.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { clearAwsEnv, delay, fakeClient, waitFor } from "./support.js";

clearAwsEnv();

let fake: FakeAws;
const clients: SQSClient[] = [];
const track = <C extends SQSClient>(client: C): C => {
  clients.push(client);
  return client;
};

beforeAll(async () => {
  fake = await startFakeAws();
});

afterAll(async () => {
  fake.sqs.faults.restore();
  for (const client of clients) client.destroy();
  await fake.close();
});

/** The base client of the issue: its handler throws on a 2 s request timeout. */
function shortTimeoutClient(): SQSClient {
  return track(fakeClient(fake, { maxAttempts: 1, requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } }));
}

async function timed<T>(work: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const start = Date.now();
  try {
    const value = await work;
    return { value, ms: Date.now() - start };
  } catch (error) {
    return { error, ms: Date.now() - start };
  }
}

describe("createLongPollingClient", () => {
  it(
    "keeps long polls alive while the base client's 2 s timeout still applies to everything else",
    async () => {
      const base = shortTimeoutClient();
      const poller = track(createLongPollingClient(base, { pollers: 3 }));
      const arrivals = fake.sqs.createQueue("arrivals");
      const quiet = fake.sqs.createQueue("quiet");
      const hung = fake.sqs.createQueue("hung");

      // The problem: a 5 s long poll through the base client dies at its 2 s timeout.
      const baseReceive = timed(base.send(new ReceiveMessageCommand({ QueueUrl: quiet, WaitTimeSeconds: 5 })));

      // The fix: a message sent at 3 s is received by a 5 s long poll that started at 0.
      const withMessage = timed(poller.send(new ReceiveMessageCommand({ QueueUrl: arrivals, WaitTimeSeconds: 5 })));
      const sender = (async () => {
        await delay(3_000);
        await base.send(new SendMessageCommand({ QueueUrl: arrivals, MessageBody: "sent at 3 s" }));
      })();

      // Empty 5 s polls, back to back, end empty rather than with a timeout.
      const emptyPolls = (async () => {
        const results: Awaited<ReturnType<typeof timed<ReceiveMessageCommandOutput>>>[] = [];
        for (let i = 0; i < 2; i++) results.push(await timed(poller.send(new ReceiveMessageCommand({ QueueUrl: quiet, WaitTimeSeconds: 5 }))));
        return results;
      })();

      // Meanwhile the base client still times out a hung SendMessage at 2 s.
      await delay(100);
      fake.sqs.faults.hangNext(1, { action: "SendMessage" });
      const hungSend = timed(base.send(new SendMessageCommand({ QueueUrl: hung, MessageBody: "never answered" })));

      const [baseResult, received, empties, hungResult] = await Promise.all([baseReceive, withMessage, emptyPolls, hungSend, sender]);

      expect(baseResult.error).toMatchObject({ name: "TimeoutError" });
      expect(baseResult.ms).toBeLessThan(4_500);

      expect(received.error).toBeUndefined();
      expect(received.value?.Messages?.map((m) => m.Body)).toEqual(["sent at 3 s"]);
      expect(received.ms).toBeGreaterThanOrEqual(2_900);

      for (const empty of empties) {
        expect(empty.error).toBeUndefined();
        expect(empty.value?.Messages ?? []).toEqual([]);
        expect(empty.ms).toBeGreaterThanOrEqual(4_900);
      }

      expect(hungResult.error).toMatchObject({ name: "TimeoutError" });
      expect(hungResult.ms).toBeGreaterThanOrEqual(1_900);
      expect(hungResult.ms).toBeLessThan(4_500);
      fake.sqs.faults.restore();
    },
    25_000,
  );

  it(
    "bounds a hung ReceiveMessage at WaitTimeSeconds + grace instead of hanging forever",
    async () => {
      const poller = track(createLongPollingClient(shortTimeoutClient(), { graceSeconds: 1 }));
      const queue = fake.sqs.createQueue("hung-receive");
      fake.sqs.faults.hangNext(1, { action: "ReceiveMessage" });
      const result = await timed(poller.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 1 })));
      fake.sqs.faults.restore();
      expect(result.error).toMatchObject({ name: "TimeoutError" });
      expect(result.ms).toBeGreaterThanOrEqual(1_900);
      expect(result.ms).toBeLessThan(5_000);
    },
    15_000,
  );

  it(
    "has its own socket pool: polls holding sockets never starve the base client's calls",
    async () => {
      // A base client with a single socket, so sharing it with a long poll would be visible at once.
      const base = track(
        fakeClient(fake, { maxAttempts: 1, requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true, httpAgent: { keepAlive: true, maxSockets: 1 } } }),
      );
      const quiet = fake.sqs.createQueue("pool-quiet");
      const target = fake.sqs.createQueue("pool-target");

      // Control: on the base's own pool, a call queued behind a long poll dies at the 2 s timeout.
      const blocking = timed(base.send(new ReceiveMessageCommand({ QueueUrl: quiet, WaitTimeSeconds: 3 })));
      await waitFor(() => fake.sqs.calls.some((c) => c.action === "ReceiveMessage" && c.details.queueUrl === quiet && c.status === undefined), 5_000, "the base's poll");
      // (Its own bound is 500 ms, well before the poll lets the socket go at 2 s.)
      const starved = await timed(base.send(new SendMessageCommand({ QueueUrl: target, MessageBody: "queued behind a poll" }), { requestTimeout: 500 }));
      expect(starved.error).toMatchObject({ name: "TimeoutError" });
      await blocking;
      // The control's poll was let go when its client gave up; it never got a status in the log.
      fake.sqs.clearCalls();

      // Through the long-polling client, two polls hold two sockets of its own pool at once...
      const poller = track(createLongPollingClient(base, { pollers: 2, maxSockets: 2 }));
      const polls = [0, 1].map(() => timed(poller.send(new ReceiveMessageCommand({ QueueUrl: quiet, WaitTimeSeconds: 4 }))));
      const open = (): number => fake.sqs.calls.filter((c) => c.action === "ReceiveMessage" && c.details.queueUrl === quiet && c.status === undefined).length;
      await waitFor(() => open() === 2, 5_000, "both polls in flight together");
      // ...while the base client's single socket stays free for its own calls.
      for (let i = 0; i < 3; i++) {
        const sent = await timed(base.send(new SendMessageCommand({ QueueUrl: target, MessageBody: `during the polls ${i}` })));
        expect(sent.error).toBeUndefined();
      }
      expect(open()).toBe(2);
      for (const poll of await Promise.all(polls)) {
        expect(poll.error).toBeUndefined();
        expect(poll.value?.Messages ?? []).toEqual([]);
      }
      expect(fake.sqs.messageCount("pool-target")).toBe(3);
    },
    25_000,
  );

  it("applies the base's short timeout to other calls sent through it (e.g. by sqs-consumer)", async () => {
    const poller = track(createLongPollingClient(shortTimeoutClient()));
    const queue = fake.sqs.createQueue("other-calls");
    fake.sqs.faults.hangNext(1, { action: "SendMessage" });
    const result = await timed(poller.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" })));
    fake.sqs.faults.restore();
    expect(result.error).toMatchObject({ name: "TimeoutError" });
    expect(result.ms).toBeLessThan(4_500);
  }, 10_000);

  it("leaves the base client untouched", async () => {
    const base = shortTimeoutClient();
    const handlerBefore = base.config.requestHandler;
    const stackBefore = base.middlewareStack.identify();
    const credentialsBefore = base.config.credentials;
    const poller = track(createLongPollingClient(base));
    await poller.send(new ReceiveMessageCommand({ QueueUrl: fake.sqs.createQueue("untouched"), WaitTimeSeconds: 0 }));
    expect(base.config.requestHandler).toBe(handlerBefore);
    expect(base.config.credentials).toBe(credentialsBefore);
    expect(base.middlewareStack.identify()).toEqual(stackBefore);
    expect(poller.config.requestHandler).not.toBe(handlerBefore);
    expect(longPollingInfo(poller)).toMatchObject({ graceSeconds: 5, pollers: 1, maxSockets: 9, maxReceiveTimeoutMs: 25_000 });
    expect(longPollingInfo(base)).toBeUndefined();
  });

  it("shares region, endpoint and live credentials with the base client", async () => {
    const base = shortTimeoutClient();
    const poller = track(createLongPollingClient(base));
    const queue = fake.sqs.createQueue("shared");
    expect(await poller.config.region()).toBe(fake.region);
    fake.sqs.clearCalls();
    await poller.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 0 }));
    const firstKey = fake.sqs.calls.at(-1)?.accessKeyId;
    expect(firstKey).toBe((await base.config.credentials()).accessKeyId);

    // Re-pointing the base (as a swapper's attach() does) re-points the long-polling client too.
    const rotated = fake.registerStaticKeys();
    base.config.credentials = async () => rotated;
    await poller.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 0 }));
    expect(fake.sqs.calls.at(-1)?.accessKeyId).toBe(rotated.accessKeyId);
    expect(fake.sqs.calls.every((c) => c.status === 200)).toBe(true);
  });

  it("carries over every base setting but the few it rebuilds (pinned list), e.g. disableClockSkewCorrection, retries, user agent", async () => {
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const base = track(
      fakeClient(fake, {
        requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
        disableClockSkewCorrection: true,
        maxAttempts: 7,
        retryMode: "adaptive",
        userAgentAppId: "orders-api",
        customUserAgent: "orders/1.2.3",
        useFipsEndpoint: false,
        useDualstackEndpoint: false,
        systemClockOffset: 1_234,
        logger,
      } as ConstructorParameters<typeof SQSClient>[0]),
    );
    const poller = track(createLongPollingClient(base));
    expect(NOT_CARRIED_SETTINGS).toEqual([
      "requestHandler",
      "defaultSocketTimeout",
      "credentials",
      "signer",
      "endpoint",
      "isCustomEndpoint",
      "serviceConfiguredEndpoint",
      "protocol",
    ]);
    const baseConfig = base.config as unknown as Record<string, unknown>;
    const derived = poller.config as unknown as Record<string, unknown>;
    const carried = Object.keys(baseConfig).filter((key) => !NOT_CARRIED_SETTINGS.includes(key));
    expect(carried.length).toBeGreaterThan(30);
    for (const key of carried) {
      const [a, b] = [baseConfig[key], derived[key]];
      if (a === b) continue;
      // The SDK re-wraps providers it is handed: then they must give the same answer.
      expect(typeof a, key).toBe("function");
      expect(typeof b, key).toBe("function");
      expect(await (b as () => unknown)(), key).toEqual(await (a as () => unknown)());
    }
    expect(derived.disableClockSkewCorrection === true || (await (derived.disableClockSkewCorrection as () => unknown)()) === true).toBe(true);
    expect(await (derived.maxAttempts as () => Promise<number>)()).toBe(7);
    expect(derived.systemClockOffset).toBe(1_234);
    expect(derived.logger).toBe(logger);
    // A custom endpoint is re-derived, not copied raw.
    expect(derived.isCustomEndpoint).toBe(true);
    expect(await poller.config.endpoint!()).toEqual(await base.config.endpoint!());
    await poller.send(new ReceiveMessageCommand({ QueueUrl: fake.sqs.createQueue("carried"), WaitTimeSeconds: 0 }));
  });

  it(
    "a caller's short requestTimeout never cuts a long poll short, but the caller's abort still ends it",
    async () => {
      const poller = track(createLongPollingClient(shortTimeoutClient(), { graceSeconds: 1 }));
      const queue = fake.sqs.createQueue("caller-timeout");
      // 300 ms per call (as a library passing its own short timeout would): the 2 s poll still runs to its end.
      const shortened = await timed(poller.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 2 }), { requestTimeout: 300 }));
      expect(shortened.error).toBeUndefined();
      expect(shortened.value?.Messages ?? []).toEqual([]);
      expect(shortened.ms).toBeGreaterThanOrEqual(1_900);
      // A longer caller timeout lengthens the bound: a hung poll then ends at it, not at wait + grace.
      fake.sqs.faults.hangNext(1, { action: "ReceiveMessage" });
      const lengthened = await timed(poller.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 1 }), { requestTimeout: 3_500 }));
      fake.sqs.faults.restore();
      expect(lengthened.error).toMatchObject({ name: "TimeoutError" });
      expect(lengthened.ms).toBeGreaterThanOrEqual(3_400);
      // An abort is the caller ending the poll on purpose (consume's stop()): honoured at once.
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const aborted = await timed(poller.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 5 }), { abortSignal: controller.signal }));
      expect(aborted.error).toMatchObject({ name: "AbortError" });
      expect(aborted.ms).toBeLessThan(2_000);
    },
    20_000,
  );

  it("can be derived from a client config as well", async () => {
    const keys = fake.registerStaticKeys();
    const poller = track(
      createLongPollingClient({
        region: fake.region,
        endpoint: fake.sqs.endpoint,
        credentials: keys,
        requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
      }),
    );
    const queue = fake.sqs.createQueue("from-config");
    const result = await timed(poller.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 3 })));
    expect(result.error).toBeUndefined();
    expect(result.ms).toBeGreaterThanOrEqual(2_900);
  }, 10_000);

  it("rejects options that would break long polls, saying why", () => {
    const base = shortTimeoutClient();
    expect(() => createLongPollingClient(base, { graceSeconds: 0 })).toThrow(/graceSeconds must be ≥ 1.*races the reply/);
    expect(() => createLongPollingClient(base, { pollers: 4, maxSockets: 2 })).toThrow(/maxSockets \(2\) must be ≥ pollers \(4\)/);
    expect(() => createLongPollingClient(base, { requestTimeout: 0 })).toThrow(/never 0/);
    expect(() => createLongPollingClient(base, { config: { requestHandler: {} } as never })).toThrow(/requestHandler/);
  });

  it("warns when the base handler cannot be read, through the given logger", async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined };
    const custom = { handle: () => Promise.reject(new Error("never used")) };
    const poller = track(
      createLongPollingClient(
        { region: fake.region, endpoint: fake.sqs.endpoint, credentials: fake.registerStaticKeys(), requestHandler: custom },
        { logger },
      ),
    );
    await poller.send(new ReceiveMessageCommand({ QueueUrl: fake.sqs.createQueue("custom-handler"), WaitTimeSeconds: 0 }));
    expect(warnings).toEqual([expect.stringMatching(/not a NodeHttpHandler.*pass `httpsAgent`/)]);
  });
});
