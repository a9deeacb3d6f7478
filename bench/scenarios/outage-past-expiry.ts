/**
 * Scenario 12: STS goes down and stays down past the expiry of the credentials in hand. What matters then
 * is not whether resolutions fail (they must, on both sides) but what the failing costs: how hard each
 * side drives STS while every caller fails, and how long a caller waits to learn that it failed.
 * SDK `fromTokenFile` behind an `SQSClient` against `createRefresher(fromRegionalWebIdentity())` behind
 * one, in the same run, at the same caller rate.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { createRefresher } from "../../src/refresh/index.js";
import { startFakeAws } from "../../src/testing/index.js";
import { withEnv } from "../lib/env.js";
import { formatCount, formatMs } from "../lib/format.js";
import { runFixedRate } from "../lib/load.js";
import type { BarCheck, Scenario } from "../lib/scenario.js";
import { buildSides, roleArnOf, sdkChainEnv, webIdentityFor } from "../lib/sides.js";
import { summarizeLatencies } from "../lib/stats.js";

const LIFETIME_SECONDS = 4;
const STS_LATENCY_MS = 100;
const RATE_PER_SECOND = 200;

interface PastExpiryRow {
  label: string;
  side: "sdk" | "awscreds";
  /** Resolutions started in the window (outage, after every credential in hand had expired). */
  resolutions: number;
  failed: number;
  stsCalls: number;
  stsCallsPerSecond: number;
  /** Source attempts (awscreds only: each may be several STS calls, its STS client retrying 5xx). */
  sourceAttempts: number | undefined;
  failedP50Ms: number;
  failedP99Ms: number;
  failedMaxMs: number;
}

export const outagePastExpiryScenario: Scenario = {
  async run(context) {
    const timing = context.quick ? { beforeMs: 1_500, outageMs: 12_000 } : { beforeMs: 2_000, outageMs: 30_000 };
    const fake = await startFakeAws({ sts: { credentialLifetimeSeconds: LIFETIME_SECONDS, latencyMs: STS_LATENCY_MS } });
    try {
      const tokenFile = await fake.writeWebIdentityToken();
      return await withEnv(sdkChainEnv(fake, tokenFile), async () => {
        const [sdk] = buildSides({ fake, tokenFile, only: ["sdk-token-file"] });
        let attempts = 0;
        let attemptsInWindow = 0;
        let windowOpen = false;
        const refresher = createRefresher(webIdentityFor(fake, tokenFile), {
          name: "awscreds-web-identity",
          onRefreshError: () => {
            attempts += 1;
            if (windowOpen) attemptsInWindow += 1;
          },
        });
        const ours = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: refresher, maxAttempts: 1 });
        try {
          await Promise.all([sdk!.warm(), refresher.ready]);
          let outageFrom = 0;
          let windowFrom = 0;
          const begin = setTimeout(() => {
            outageFrom = Date.now();
            fake.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 500, code: "InternalFailure", message: "An internal error occurred (bench outage)." });
          }, timing.beforeMs);
          // Credentials fetched before the outage live LIFETIME_SECONDS at most: past that, none is valid on either side.
          const expired = setTimeout(() => {
            windowFrom = Date.now();
            windowOpen = true;
          }, timing.beforeMs + LIFETIME_SECONDS * 1_000 + 500);
          const started = Date.now();
          const records = await runFixedRate(
            [
              { name: "sdk", resolve: () => sdk!.client.config.credentials() },
              { name: "awscreds", resolve: () => ours.config.credentials() },
            ],
            { ratePerSecond: RATE_PER_SECOND, durationMs: timing.beforeMs + timing.outageMs, settleTimeoutMs: 10_000 },
          );
          const windowTo = Date.now();
          windowOpen = false;
          clearTimeout(begin);
          clearTimeout(expired);
          fake.sts.faults.restore();
          context.log(`outage past expiry: ${(windowTo - outageFrom) / 1000} s outage, ${(windowTo - windowFrom) / 1000} s past expiry`);
          const windowSeconds = (windowTo - windowFrom) / 1000;
          const from = windowFrom - started;
          const rows: PastExpiryRow[] = (
            [
              ["sdk", "SDK: fromTokenFile behind an SQSClient", roleArnOf(fake, "sdk-token-file"), undefined],
              ["awscreds", "awscreds: createRefresher(fromRegionalWebIdentity) behind an SQSClient", roleArnOf(fake, "awscreds-web-identity"), attemptsInWindow],
            ] as const
          ).map(([key, label, roleArn, sourceAttempts]) => {
            const r = records.get(key)!;
            const inWindow = r.failures.filter((f) => f.t >= from);
            const served = r.samples.filter((s) => s.t >= from).length;
            const stsCalls = fake.sts.calls.filter((c) => c.details.roleArn === roleArn && c.time >= windowFrom && c.time < windowTo).length;
            const latency = summarizeLatencies(
              inWindow.map((f) => f.ms),
              50,
            );
            return {
              label,
              side: key,
              resolutions: served + inWindow.length,
              failed: inWindow.length,
              stsCalls,
              stsCallsPerSecond: stsCalls / windowSeconds,
              sourceAttempts,
              failedP50Ms: latency.p50,
              failedP99Ms: latency.p99,
              failedMaxMs: latency.max,
            };
          });
          const [sdkRow, oursRow] = rows as [PastExpiryRow, PastExpiryRow];
          // Default backoff (1 s doubling to 60 s, equal jitter): attempts n ≥ 1 start at least sum of ceiling(k)/2 apart.
          let envelope = 1;
          for (let at = 0, n = 1; ; n++) {
            at += Math.min(60_000, 1_000 * 2 ** (n - 1)) / 2;
            if (at > windowTo - outageFrom) break;
            envelope += 1;
          }
          const bars: BarCheck[] = [
            {
              bar: "An STS outage past expiry: at most one source attempt per backoff interval, however many callers.",
              measured:
                `awscreds: ${attempts} source attempts in ${((windowTo - outageFrom) / 1000).toFixed(1)} s of outage (envelope ${envelope}), ` +
                `${oursRow.stsCallsPerSecond.toFixed(1)} STS calls/s past expiry, failed resolutions answered in ${formatMs(oursRow.failedP50Ms)} (p50); ` +
                `SDK fromTokenFile: ${sdkRow.stsCallsPerSecond.toFixed(1)} STS calls/s, failures after ${formatMs(sdkRow.failedP50Ms)} (p50)`,
              met: attempts <= envelope && oursRow.failed === oursRow.resolutions,
            },
          ];
          return {
            tables: [
              {
                title: `STS down past expiry (${LIFETIME_SECONDS}-second credentials), ${RATE_PER_SECOND} resolutions/s per provider`,
                columns: ["provider", "resolutions past expiry", "failed", "STS calls", "STS calls/s", "source attempts", "failed: p50", "p99", "max"],
                rows: rows.map((r) => [
                  r.label,
                  formatCount(r.resolutions),
                  formatCount(r.failed),
                  formatCount(r.stsCalls),
                  r.stsCallsPerSecond.toFixed(1),
                  r.sourceAttempts === undefined ? "—" : formatCount(r.sourceAttempts),
                  formatMs(r.failedP50Ms),
                  formatMs(r.failedP99Ms),
                  formatMs(r.failedMaxMs),
                ]),
                numericColumns: [1, 2, 3, 4, 5, 6, 7, 8],
              },
            ],
            method:
              `The fake STS issues ${LIFETIME_SECONDS}-second credentials at ${STS_LATENCY_MS} ms. Both providers are warmed, then ${RATE_PER_SECOND} resolutions/s ` +
              `run against each (\`client.config.credentials()\`, what a client does before signing). ${timing.beforeMs / 1000} s in, STS answers every call ` +
              `with HTTP 500 \`InternalFailure\` for the rest of the run (${timing.outageMs / 1000} s). The window measured starts ${LIFETIME_SECONDS + 0.5} s ` +
              "into the outage, when no credential fetched before it is valid on either side. *STS calls* are the calls the fake received from that " +
              "provider in the window (SDK retries included); *source attempts* are the refresher's attempts (each is one AssumeRoleWithWebIdentity " +
              "with its own retries of 5xx); *failed* latencies are how long a caller waited for its rejection. awscreds uses its default backoff (1 s doubling to 60 s).",
            notes: [
              "The SDK's client memoizes credentials but treats any that expire within 5 minutes as expired, so past expiry every resolution that finds no " +
                "call in flight starts a new AssumeRoleWithWebIdentity (concurrent callers share one): its STS rate is set by how fast STS fails, not by a backoff, " +
                "and every caller waits for that failure.",
            ],
            bars,
            data: { timing, ratePerSecond: RATE_PER_SECOND, lifetimeSeconds: LIFETIME_SECONDS, attempts, envelope, rows },
          };
        } finally {
          refresher.stop();
          ours.destroy();
          sdk!.close();
        }
      });
    } finally {
      await fake.close();
    }
  },
};
