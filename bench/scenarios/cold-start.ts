/**
 * Scenario 3: from constructing the provider to the first signed request (an SQS SendMessage the fake
 * verifies against the credentials its STS issued). The SDK fetches on the first request; awscreds
 * fetches at construction, and a service that awaits `ready` during start-up serves its first request
 * without waiting for STS.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { fromNodeProviderChain, fromTokenFile } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { performance } from "node:perf_hooks";
import { createRefresher } from "../../src/refresh/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { withEnv } from "../lib/env.js";
import { formatMs } from "../lib/format.js";
import type { BarCheck, Scenario } from "../lib/scenario.js";
import { deployedChainFor, roleArnOf, sdkChainEnv, webIdentityFor } from "../lib/sides.js";
import { median } from "../lib/stats.js";

const STS_LATENCY_MS = 300;
const QUEUE = "bench-cold-start";

interface Variant {
  label: string;
  side: "sdk" | "awscreds";
  /** Builds the provider (the clock starts just before). */
  build(fake: FakeAws, tokenFile: string): { provider: AwsCredentialIdentityProvider; ready?: Promise<void>; stop(): void };
  /** Whether start-up awaits the prefetch before the first request. */
  awaitReady: boolean;
}

const variants: Variant[] = [
  {
    label: "SDK: fromTokenFile",
    side: "sdk",
    awaitReady: false,
    build: (fake, tokenFile) => ({
      provider: fromTokenFile({
        roleArn: roleArnOf(fake, "sdk-token-file"),
        webIdentityTokenFile: tokenFile,
        roleSessionName: "bench-sdk-token-file",
        clientConfig: { endpoint: fake.sts.endpoint, region: fake.region },
      }),
      stop: () => undefined,
    }),
  },
  {
    label: "SDK: fromNodeProviderChain",
    side: "sdk",
    awaitReady: false,
    build: (fake) => ({
      provider: fromNodeProviderChain({ clientConfig: { endpoint: fake.sts.endpoint, region: fake.region } }),
      stop: () => undefined,
    }),
  },
  ...[false, true].map(
    (awaitReady): Variant => ({
      label: `awscreds: createRefresher(fromRegionalWebIdentity), ${awaitReady ? "ready awaited at start-up" : "first request at once"}`,
      side: "awscreds",
      awaitReady,
      build: (fake, tokenFile) => {
        const refresher = createRefresher(webIdentityFor(fake, tokenFile));
        return { provider: refresher, ready: refresher.ready, stop: () => refresher.stop() };
      },
    }),
  ),
  {
    label: "awscreds: createRefresher(fromEnvGatedChain), deployed, ready awaited at start-up",
    side: "awscreds",
    awaitReady: true,
    build: (fake, tokenFile) => {
      const refresher = createRefresher(deployedChainFor(fake, tokenFile));
      return { provider: refresher, ready: refresher.ready, stop: () => refresher.stop() };
    },
  },
];

interface Timing {
  /** Construction to the first SendMessage answered. */
  totalMs: number;
  /** `send()` of the first request to its answer. */
  firstRequestMs: number;
  /** A second request on the same client: the cost of the request itself. */
  secondRequestMs: number;
}

async function once(variant: Variant, fake: FakeAws, tokenFile: string, queueUrl: string): Promise<Timing> {
  const t0 = performance.now();
  const built = variant.build(fake, tokenFile);
  const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: built.provider, maxAttempts: 1 });
  try {
    if (variant.awaitReady) await built.ready;
    const t1 = performance.now();
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "cold start" }));
    const t2 = performance.now();
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "warm" }));
    const t3 = performance.now();
    return { totalMs: t2 - t0, firstRequestMs: t2 - t1, secondRequestMs: t3 - t2 };
  } finally {
    built.stop();
    client.destroy();
  }
}

export const coldStartScenario: Scenario = {
  async run(context) {
    const runs = context.quick ? 3 : 9;
    const fake = await startFakeAws({ sts: { latencyMs: STS_LATENCY_MS } });
    try {
      const tokenFile = await fake.writeWebIdentityToken();
      const queueUrl = fake.sqs.createQueue(QUEUE);
      return await withEnv(sdkChainEnv(fake, tokenFile), async () => {
        const samples = variants.map(() => [] as Timing[]);
        // Round-robin, after one discarded warm-up round that loads the SDK's lazily required modules.
        for (let round = 0; round <= runs; round += 1) {
          for (const [i, v] of variants.entries()) {
            const t = await once(v, fake, tokenFile, queueUrl);
            if (round > 0) samples[i]!.push(t);
          }
        }
        context.log(`cold-start: ${variants.length} variants × ${runs} runs`);
        const med = samples.map((s) => ({
          totalMs: median(s.map((x) => x.totalMs)),
          firstRequestMs: median(s.map((x) => x.firstRequestMs)),
          secondRequestMs: median(s.map((x) => x.secondRequestMs)),
        }));

        const sdkFirst = med[0]!.firstRequestMs;
        const prefetched = med[variants.findIndex((v) => v.awaitReady)]!;
        const bars: BarCheck[] = [
          {
            bar: "First request after startup: no STS wait (prefetch) vs ~365 ms for the SDK default",
            measured: `first request ${formatMs(prefetched.firstRequestMs)} with ready awaited (a warm request: ${formatMs(prefetched.secondRequestMs)}) vs ${formatMs(sdkFirst)} for SDK fromTokenFile`,
            met: prefetched.firstRequestMs < prefetched.secondRequestMs + 50,
          },
        ];
        const notes = [
          "Construction to first response is about the same on both sides when nothing else happens at start-up: someone waits for STS once. " +
            "With the prefetch that wait happens during start-up (before the readiness probe passes), not inside the first request.",
        ];
        return {
          tables: [
            {
              title: `Cold start, STS ${STS_LATENCY_MS} ms, median of ${runs} runs`,
              columns: ["provider (behind an SQSClient)", "construction → first response", "first request (send → answer)", "second request"],
              rows: variants.map((v, i) => [v.label, formatMs(med[i]!.totalMs), formatMs(med[i]!.firstRequestMs), formatMs(med[i]!.secondRequestMs)]),
            },
          ],
          method:
            "Each run builds a new provider and a new `SQSClient` (fresh sockets) and sends one `SendMessage` to the fake SQS, which verifies the " +
            `SigV4 signature against the credentials the fake STS issued (STS answers in ${STS_LATENCY_MS} ms). *Construction → first response* starts ` +
            "before the provider is built; *first request* starts at `send()` (for \"ready awaited\", after `await refresher.ready`); a second " +
            `request on the same client shows the cost of the request itself. In-process, round-robin, one discarded warm-up round; medians of ${runs} runs.`,
          notes,
          bars,
          data: { runs, stsLatencyMs: STS_LATENCY_MS, variants: variants.map((v, i) => ({ label: v.label, samples: samples[i], median: med[i] })) },
        };
      });
    } finally {
      await fake.close();
    }
  },
};
