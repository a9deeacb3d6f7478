/**
 * The refresher and swapper driving real SDK v3 clients against the loopback fakes (issue 4, "Done means").
 */
import { performance } from "node:perf_hooks";
import { STSClient } from "@aws-sdk/client-sts";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { CredentialsExpiredError, createRefresher, createSwapper, type RefreshEvent, type Refresher } from "../../src/refresh/index.js";
import { fromEnvGatedChain, type EnvGatedChainProvider } from "../../src/sources/chain.js";
import { watchClientSockets } from "../sources/support/sockets.js";
import { resolveUnderLoad, sleep, useFakeAwsAndCatchUnhandled, waitFor, webIdentitySource } from "./e2e-helpers.js";

// (6) no unhandled rejections anywhere in these scenarios: checked once the file is done.
const e2e = useFakeAwsAndCatchUnhandled("refresh-e2e");

function clients(credentials: Refresher): { sts: STSClient; sqs: SQSClient } {
  const sts = new STSClient({ region: e2e.fake.region, endpoint: e2e.fake.sts.endpoint, credentials });
  const sqs = new SQSClient({ region: e2e.fake.region, endpoint: e2e.fake.sqs.endpoint, credentials });
  e2e.cleanups.push(() => {
    sts.destroy();
    sqs.destroy();
    credentials.stop();
  });
  return { sts, sqs };
}

const assumeCalls = () => e2e.fake.sts.count("AssumeRoleWithWebIdentity");
const lastSqsKey = () => e2e.fake.sqs.calls[e2e.fake.sqs.calls.length - 1]?.accessKeyId;
const send = (sqs: SQSClient, body: string) => sqs.send(new SendMessageCommand({ QueueUrl: e2e.queueUrl, MessageBody: body }));

describe("refresher end to end (SDK fromTokenFile → fake STS; real STS and SQS clients)", () => {
  it("(1) steady load across many refreshes of 4-second credentials with 300 ms STS: no resolution waits on STS", async () => {
    e2e.fake.sts.setCredentialLifetime(4);
    e2e.fake.sts.faults.setLatency(300);
    const windows: { from: number; to: number }[] = [];
    // When each access key id became available to callers (performance.now() at the refresh's end).
    const availableAt = new Map<string, number>();
    const refresher: Refresher = createRefresher(webIdentitySource(e2e.fake, e2e.tokenFile), {
      onRefresh: (e: RefreshEvent) => {
        const to = performance.now();
        windows.push({ from: to - e.durationMs, to });
        // onRefresh runs as the new credentials are adopted: this call already returns them.
        void refresher().then((c) => availableAt.set(c.accessKeyId, to));
      },
    });
    const { sts, sqs } = clients(refresher);
    await refresher.ready;
    const callsBefore = assumeCalls();

    const sends: Promise<unknown>[] = [];
    const sender = setInterval(() => sends.push(send(sqs, "tick")), 500);
    const results = await resolveUnderLoad([() => sts.config.credentials(), () => sqs.config.credentials()], 12_000);
    clearInterval(sender);
    const sent = await Promise.allSettled(sends);

    const refreshes = windows.slice(1);
    expect(refreshes.length).toBeGreaterThanOrEqual(3);
    expect(assumeCalls() - callsBefore).toBeGreaterThanOrEqual(3);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    // Resolutions that started while STS was being called: they exist, and none of them waited for it.
    const overlapping = results.filter((r) => refreshes.some((w) => r.start >= w.from && r.start <= w.to));
    expect(overlapping.length).toBeGreaterThan(10);
    // Structural, not a stopwatch (a busy CI box can pause any process): a resolution that waited on STS
    // would have been answered with credentials that did not exist yet when it started.
    const waited = results.filter((r) => !(r.start >= availableAt.get(r.credentials!.accessKeyId)!));
    expect(waited).toEqual([]);
    // Every answer was valid when given, and the clients' requests were accepted by SigV4-verifying SQS.
    expect(results.every((r) => r.credentials!.expiration!.getTime() > r.endedAt)).toBe(true);
    expect(sent.filter((s) => s.status === "rejected")).toEqual([]);
    expect(new Set(results.map((r) => r.credentials!.accessKeyId)).size).toBeGreaterThanOrEqual(4);
  }, 30_000);

  it("(2) STS failing with 500s for seconds while credentials are valid: zero failed resolutions, a handful of backed-off STS calls", async () => {
    e2e.fake.sts.setCredentialLifetime(12);
    const refresher = createRefresher(webIdentitySource(e2e.fake, e2e.tokenFile), { backoff: { initialDelayMs: 250, maxDelayMs: 2_000 } });
    const { sts, sqs } = clients(refresher);
    await refresher.ready;
    const held = await refresher();
    e2e.fake.sts.faults.failNext(Infinity, { status: 500, code: "InternalFailure", message: "We encountered an internal error." });
    const callsBefore = assumeCalls();

    const forced = refresher.refresh().then(() => "refreshed", (e: unknown) => e);
    const results = await resolveUnderLoad([() => sts.config.credentials(), () => sqs.config.credentials()], 6_000);

    expect(await forced).toBeInstanceOf(Error);
    expect(results.length).toBeGreaterThan(200);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    expect(new Set(results.map((r) => r.credentials!.accessKeyId))).toEqual(new Set([held.accessKeyId]));
    const status = refresher.status();
    expect(status.state).toBe("degraded");
    expect(status.lastError?.name).toBe("InternalFailure");
    // Backoff 0.25 s doubling to 2 s: a handful of attempts in 6 s (each up to 3 HTTP calls, the SDK's retries).
    expect(status.failureCount).toBeGreaterThanOrEqual(3);
    expect(status.failureCount).toBeLessThanOrEqual(9);
    const stsCalls = assumeCalls() - callsBefore;
    expect(stsCalls).toBeLessThanOrEqual(3 * status.failureCount + 3);
    expect(stsCalls).toBeLessThan(results.length / 10);

    e2e.fake.sts.faults.restore();
    expect(await waitFor(() => refresher.status().state === "ready", 4_000)).toBe(true);
    expect((await refresher()).accessKeyId).not.toBe(held.accessKeyId);
  }, 30_000);

  it("(2b) STS hanging: attempts time out and back off, callers keep the valid credentials", async () => {
    e2e.fake.sts.setCredentialLifetime(12);
    const refresher = createRefresher(webIdentitySource(e2e.fake, e2e.tokenFile), {
      attemptTimeoutMs: 500,
      backoff: { initialDelayMs: 250, maxDelayMs: 1_000 },
    });
    const { sqs } = clients(refresher);
    await refresher.ready;
    const held = await refresher();
    e2e.fake.sts.faults.hangNext(Infinity);

    void refresher.refresh().catch(() => undefined);
    const results = await resolveUnderLoad([() => sqs.config.credentials()], 4_000, 2);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    expect(new Set(results.map((r) => r.credentials!.accessKeyId))).toEqual(new Set([held.accessKeyId]));
    const status = refresher.status();
    expect(status.lastError?.name).toBe("AttemptTimeoutError");
    expect(status.failureCount).toBeGreaterThanOrEqual(2);
    expect(status.failureCount).toBeLessThanOrEqual(6);

    e2e.fake.sts.faults.restore();
    expect(await waitFor(() => refresher.status().state === "ready", 4_000)).toBe(true);
  }, 30_000);

  it("(3) STS down past expiry: a clear error naming the expiry and the cause, then recovery when STS returns", async () => {
    e2e.fake.sts.setCredentialLifetime(3);
    const refresher = createRefresher(webIdentitySource(e2e.fake, e2e.tokenFile), { backoff: { initialDelayMs: 300, maxDelayMs: 1_000 } });
    const { sqs } = clients(refresher);
    await refresher.ready;
    const expiration = (await refresher()).expiration!;
    await send(sqs, "before the outage");
    e2e.fake.sts.faults.failNext(Infinity, { status: 503, code: "ServiceUnavailable", message: "Service is unavailable" });

    await sleep(expiration.getTime() - Date.now() + 100);
    expect(refresher.status().state).toBe("expired");
    const error = await send(sqs, "during the outage").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsExpiredError);
    const message = (error as Error).message;
    expect(message).toContain(`credentials expired at ${expiration.toISOString()}`);
    expect(message).toMatch(/last refresh error: ServiceUnavailable: Service is unavailable/);
    expect(((error as Error).cause as Error).name).toBe("ServiceUnavailable");
    await expect(sqs.config.credentials()).rejects.toBeInstanceOf(CredentialsExpiredError);

    e2e.fake.sts.faults.restore();
    // Callers do not drive STS: the next attempt is the backoff's (at most 1 s away), and then requests get through.
    expect(await waitFor(() => refresher.status().state === "ready", 4_000)).toBe(true);
    await send(sqs, "after the outage");
    const recovered = await refresher();
    expect(recovered.expiration!.getTime()).toBeGreaterThan(Date.now());
    expect(lastSqsKey()).toBe(recovered.accessKeyId);
    expect(refresher.status().state).toBe("ready");
  }, 30_000);
});

describe("swapper over awscreds' own sources", () => {
  it("rebuilds a fromEnvGatedChain with a fresh STS connection and closes the one it swapped out", async () => {
    e2e.fake.sts.setCredentialLifetime(3600);
    const watch = watchClientSockets(Number(new URL(e2e.fake.sts.endpoint).port));
    e2e.cleanups.push(() => watch.stop());
    const chains: EnvGatedChainProvider[] = [];
    const swapper = createSwapper(() => {
      const chain = fromEnvGatedChain({
        env: { APP_ENV: "production", AWS_REGION: e2e.fake.region, AWS_ROLE_ARN: `arn:aws:iam::${e2e.fake.accountId}:role/swapper-chain`, AWS_WEB_IDENTITY_TOKEN_FILE: e2e.tokenFile },
        webIdentity: { endpoint: e2e.fake.sts.endpoint },
      });
      chains.push(chain);
      return chain;
    });
    const { sqs } = clients(swapper);
    await send(sqs, "first chain");
    expect(watch.sockets).toHaveLength(1);

    const next = await swapper.swap();
    await send(sqs, "second chain");
    expect(lastSqsKey()).toBe(next.accessKeyId);
    expect(chains).toHaveLength(2);
    expect(swapper.current).toBe(chains[1]);
    // The old chain was disposed: its STS client's socket is closed; the new chain opened its own.
    expect(await waitFor(() => watch.sockets[0]!.destroyed, 2_000)).toBe(true);
    expect(watch.sockets).toHaveLength(2);
    expect(watch.sockets[1]!.destroyed).toBe(false);
  }, 30_000);
});

describe("swapper and refresher re-pointing live clients", () => {
  it("(4) a client built before attach/swap signs its next SQS request with the new keys", async () => {
    e2e.fake.sts.setCredentialLifetime(3600);
    const keys = e2e.fake.registerStaticKeys();
    // Built elsewhere (another team's consumer), with its own credentials.
    const sqs = new SQSClient({ region: e2e.fake.region, endpoint: e2e.fake.sqs.endpoint, credentials: keys });
    e2e.cleanups.push(() => sqs.destroy());
    await send(sqs, "static");
    expect(lastSqsKey()).toBe(keys.accessKeyId);

    const swapper = createSwapper(() => webIdentitySource(e2e.fake, e2e.tokenFile, "swapper-e2e"));
    e2e.cleanups.push(() => swapper.stop());
    await swapper.ready;
    expect(swapper.attach(sqs)).toBe(sqs);
    await send(sqs, "attached");
    const first = (await swapper()).accessKeyId;
    expect(first).toMatch(/^ASIA/);
    expect(lastSqsKey()).toBe(first);

    await swapper.swap();
    const second = (await swapper()).accessKeyId;
    expect(second).not.toBe(first);
    await send(sqs, "rebuilt");
    expect(lastSqsKey()).toBe(second);

    const otherKeys = e2e.fake.registerStaticKeys();
    await swapper.swap(async () => otherKeys);
    await send(sqs, "given");
    expect(lastSqsKey()).toBe(otherKeys.accessKeyId);

    // Same for a refresher a client was built with: the refresh shows on the very next request.
    const refresher = createRefresher(webIdentitySource(e2e.fake, e2e.tokenFile));
    const { sqs: viaRefresher } = clients(refresher);
    await send(viaRefresher, "refresher");
    const before = lastSqsKey();
    const refreshed = await refresher.refresh();
    expect(refreshed.accessKeyId).not.toBe(before);
    await send(viaRefresher, "refreshed");
    expect(lastSqsKey()).toBe(refreshed.accessKeyId);
  }, 30_000);
});
