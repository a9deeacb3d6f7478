/**
 * Scenario 1: steady load across many refreshes. Credentials live 302 s, two seconds past the SDK's
 * 5-minute window, so the SDK side refreshes every ~2 s; STS answers in 300 ms. Every side is resolved
 * through a real `SQSClient` at the same fixed rate, in the same run.
 */
import { DEFAULT_SCHEDULE_POLICY, planNextRefresh } from "../../src/refresh/index.js";
import { startFakeAws } from "../../src/testing/index.js";
import { withEnv } from "../lib/env.js";
import { formatCount, formatMs, formatShare } from "../lib/format.js";
import { runFixedRate } from "../lib/load.js";
import type { BarCheck, Scenario } from "../lib/scenario.js";
import { buildSides, sdkChainEnv, stsCallsOf, type Side } from "../lib/sides.js";
import { summarizeLatencies, type LatencySummary } from "../lib/stats.js";
import { renderLatencyChart } from "../lib/svg.js";
import { machineSummary } from "../lib/machine.js";

const LIFETIME_SECONDS = 302;
const STS_LATENCY_MS = 300;
const RATE_PER_SECOND = 500;
const THRESHOLD_MS = 50;
/** The awscreds refreshers refresh this often, about as often as the SDK side does (2 s + 300 ms). */
const AWSCREDS_PERIOD_MS = 2_300;

/** When the default schedule would refresh these credentials, as a range after the fetch. */
function defaultRefreshWindow(): string {
  const expiresAt = LIFETIME_SECONDS * 1000;
  const at = [0, 0.999_999].map((r) => planNextRefresh(expiresAt, 0, DEFAULT_SCHEDULE_POLICY, () => r) ?? Number.NaN);
  const [early, late] = [Math.min(...at), Math.max(...at)];
  return `${(early / 60_000).toFixed(1)}–${(late / 60_000).toFixed(1)} min`;
}

interface SideResult {
  key: string;
  label: string;
  side: "sdk" | "awscreds";
  summary: LatencySummary;
  failed: number;
  unsettled: number;
  stsCalls: number;
}

export const steadyLoadScenario: Scenario = {
  async run(context) {
    const durationMs = context.quick ? 5_000 : 20_000;
    const fake = await startFakeAws({ sts: { credentialLifetimeSeconds: LIFETIME_SECONDS, latencyMs: STS_LATENCY_MS } });
    try {
      const tokenFile = await fake.writeWebIdentityToken();
      return await withEnv(sdkChainEnv(fake, tokenFile), async () => {
        const built = buildSides({ fake, tokenFile, refresh: { period: AWSCREDS_PERIOD_MS } });
        // SDK and awscreds side by side in the chart: fromTokenFile | web identity, node chain | env-gated chain.
        const order = ["sdk-token-file", "awscreds-web-identity", "sdk-node-chain", "awscreds-env-gated"];
        const sides: Side[] = order.flatMap((k) => built.filter((s) => s.key === k));
        try {
          await Promise.all(sides.map((s) => s.warm()));
          context.log(`steady: ${sides.length} sides warm; ${RATE_PER_SECOND} resolutions/s each for ${durationMs / 1000} s`);
          const from = Date.now();
          const records = await runFixedRate(
            sides.map((s) => ({ name: s.key, resolve: s.resolve })),
            { ratePerSecond: RATE_PER_SECOND, durationMs },
          );
          const to = Date.now();

          const results: SideResult[] = sides.map((s) => {
            const r = records.get(s.key)!;
            return {
              key: s.key,
              label: s.label,
              side: s.side,
              summary: summarizeLatencies(r.samples.map((x) => x.ms), THRESHOLD_MS),
              failed: r.failures.length,
              unsettled: r.unsettled,
              stsCalls: stsCallsOf(fake, s, from, to),
            };
          });

          const chart = renderLatencyChart({
            title: "Credential resolution latency under steady load with refreshes",
            subtitle: [
              `${RATE_PER_SECOND} resolutions/s per provider through a real SQSClient for ${durationMs / 1000} s; credentials live ${LIFETIME_SECONDS} s, STS answers in ${STS_LATENCY_MS} ms (loopback).`,
              `Left: the SDK default; right: awscreds. Each bar spans min–max latency of one time slice; log scale. ${machineSummary()}.`,
            ],
            durationMs,
            thresholdMs: THRESHOLD_MS,
            panels: sides.map((s, i) => {
              const res = results[i]!;
              return {
                title: s.label,
                side: s.side,
                samples: records.get(s.key)!.samples,
                failures: records.get(s.key)!.failures.map((f) => f.t),
                caption: `> ${THRESHOLD_MS} ms: ${formatShare(res.summary.shareOver)} · p99 ${formatMs(res.summary.p99)} · max ${formatMs(res.summary.max)} · STS calls ${res.stsCalls}`,
              };
            }),
          });

          const ours = results.filter((r) => r.side === "awscreds");
          const sdkTokenFile = results.find((r) => r.key === "sdk-token-file");
          const bars: BarCheck[] = [
            {
              bar: "No request waits for STS once ready: 0 resolutions over 50 ms in steady load with refreshes (SDK default: ~10%)",
              measured:
                ours.map((r) => `${r.label.replace(/^awscreds: /, "")}: ${r.summary.over} of ${formatCount(r.summary.count)}`).join("; ") +
                (sdkTokenFile ? `; SDK fromTokenFile: ${formatShare(sdkTokenFile.summary.shareOver)}` : ""),
              met: ours.length > 0 ? ours.every((r) => r.summary.over === 0 && r.failed === 0) : undefined,
            },
          ];

          const notes: string[] = [];
          for (const r of results.filter((x) => x.side === "sdk")) {
            if (r.summary.over === 0) {
              notes.push(
                `${r.label} did not block in this run (${formatShare(r.summary.shareOver)} over ${THRESHOLD_MS} ms): ` +
                  (r.key === "sdk-node-chain"
                    ? "in this SDK version the default chain refreshes in the background once credentials are inside the 5-minute window and keeps serving the old ones."
                    : "see the JSON for details."),
              );
            }
          }
          for (const r of ours) {
            if (r.summary.over > 0 || r.failed > 0) {
              notes.push(`${r.label}: ${r.summary.over} resolutions over ${THRESHOLD_MS} ms and ${r.failed} failures — awscreds is not at its bar here.`);
            }
          }

          return {
            tables: [
              {
                title: `Steady load: ${RATE_PER_SECOND}/s per provider for ${durationMs / 1000} s, STS ${STS_LATENCY_MS} ms, credentials ${LIFETIME_SECONDS} s`,
                columns: ["provider (behind an SQSClient)", "resolutions", "p50", "p99", "p99.9", "max", `> ${THRESHOLD_MS} ms`, "failed", "STS calls"],
                rows: results.map((r) => [
                  r.label,
                  formatCount(r.summary.count),
                  formatMs(r.summary.p50),
                  formatMs(r.summary.p99),
                  formatMs(r.summary.p999),
                  formatMs(r.summary.max),
                  `${formatShare(r.summary.shareOver)} (${formatCount(r.summary.over)})`,
                  formatCount(r.failed + r.unsettled),
                  formatCount(r.stsCalls),
                ]),
              },
            ],
            method:
              `All four providers run at once in one process, each behind its own \`SQSClient\`, against one fake STS that issues ` +
              `${LIFETIME_SECONDS}-second credentials after ${STS_LATENCY_MS} ms. After every provider has its first credentials (not measured), ` +
              `an open-loop driver starts ${RATE_PER_SECOND} \`client.config.credentials()\` calls per second on each provider for ${durationMs / 1000} s ` +
              "and records each call's latency (start to settle, `performance.now()`). The SDK clients treat the credentials as expired 2 s after each " +
              `fetch (their 5-minute window) and refresh inline. To compare like with like, the awscreds refreshers are given \`period: ${AWSCREDS_PERIOD_MS}\`, ` +
              `so they call STS about as often (their default schedule would refresh ${LIFETIME_SECONDS}-second credentials only after ${defaultRefreshWindow()}). ` +
              `Percentiles are nearest-rank over all resolutions of the run (one run; with ${formatCount((RATE_PER_SECOND * durationMs) / 1000)} samples ` +
              "per provider the tail is itself an aggregate).",
            notes,
            bars,
            data: { durationMs, ratePerSecond: RATE_PER_SECOND, lifetimeSeconds: LIFETIME_SECONDS, stsLatencyMs: STS_LATENCY_MS, results },
            artifacts: [{ name: "scenario1-latency.svg", content: chart }],
          };
        } finally {
          for (const s of sides) s.close();
        }
      });
    } finally {
      await fake.close();
    }
  },
};
