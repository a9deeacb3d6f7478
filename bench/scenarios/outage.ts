/**
 * Scenario 2: STS goes down for a few seconds while the credentials in hand are still valid (they live
 * 302 s). Both sides are due for a refresh during the outage. Two kinds of outage: STS answering 500 at
 * once, and STS not answering at all (connections hang until it comes back).
 */
import { startFakeAws } from "../../src/testing/index.js";
import { withEnv } from "../lib/env.js";
import { formatCount, formatMs, formatShare } from "../lib/format.js";
import { runFixedRate } from "../lib/load.js";
import type { BarCheck, BenchContext, Scenario } from "../lib/scenario.js";
import { buildSides, sdkChainEnv, stsCallsOf, type Side } from "../lib/sides.js";
import { summarizeLatencies } from "../lib/stats.js";

const LIFETIME_SECONDS = 302;
const STS_LATENCY_MS = 300;
const RATE_PER_SECOND = 200;
const AWSCREDS_PERIOD_MS = 2_300;

type OutageKind = "500s" | "hangs";

const calls = (n: number): string => `${n} STS call${n === 1 ? "" : "s"}`;

interface OutageRow {
  kind: OutageKind;
  key: string;
  label: string;
  side: "sdk" | "awscreds";
  /** Resolutions started during the outage. */
  during: number;
  failedDuring: number;
  failedAfter: number;
  maxMs: number;
  over50: number;
  stsCallsDuring: number;
  errors: Record<string, number>;
}

async function runOutage(kind: OutageKind, context: BenchContext, timing: { beforeMs: number; outageMs: number; afterMs: number }): Promise<OutageRow[]> {
  const fake = await startFakeAws({ sts: { credentialLifetimeSeconds: LIFETIME_SECONDS, latencyMs: STS_LATENCY_MS } });
  try {
    const tokenFile = await fake.writeWebIdentityToken();
    return await withEnv(sdkChainEnv(fake, tokenFile), async () => {
      const sides = buildSides({ fake, tokenFile, refresh: { period: AWSCREDS_PERIOD_MS } });
      try {
        await Promise.all(sides.map((s) => s.warm()));
        const durationMs = timing.beforeMs + timing.outageMs + timing.afterMs;
        let outageFrom = 0;
        let outageTo = 0;
        const begin = setTimeout(() => {
          outageFrom = Date.now();
          fake.sts.faults.restore();
          if (kind === "500s") fake.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 500, code: "InternalFailure", message: "An internal error occurred (bench outage)." });
          else fake.sts.faults.hangNext(Number.POSITIVE_INFINITY);
        }, timing.beforeMs);
        const end = setTimeout(() => {
          outageTo = Date.now();
          fake.sts.faults.restore(); // also lets hanging calls go
          fake.sts.faults.setLatency(STS_LATENCY_MS);
        }, timing.beforeMs + timing.outageMs);
        const started = Date.now();
        const records = await runFixedRate(
          sides.map((s) => ({ name: s.key, resolve: s.resolve })),
          { ratePerSecond: RATE_PER_SECOND, durationMs },
        );
        clearTimeout(begin);
        clearTimeout(end);
        const fromT = outageFrom - started;
        const toT = outageTo - started;
        context.log(`outage (${kind}): ${(outageTo - outageFrom) / 1000} s outage done`);
        const rows = sides.map((s: Side): OutageRow => {
          const r = records.get(s.key)!;
          const inOutage = (t: number): boolean => t >= fromT && t < toT;
          const errors: Record<string, number> = {};
          for (const f of r.failures) errors[f.error] = (errors[f.error] ?? 0) + 1;
          const latencies = r.samples.map((x) => x.ms);
          const summary = summarizeLatencies(latencies, 50);
          return {
            kind,
            key: s.key,
            label: s.label,
            side: s.side,
            during: r.samples.filter((x) => inOutage(x.t)).length + r.failures.filter((f) => inOutage(f.t)).length,
            failedDuring: r.failures.filter((f) => inOutage(f.t)).length,
            failedAfter: r.failures.filter((f) => f.t >= toT).length + r.unsettled,
            maxMs: summary.max,
            over50: summary.over,
            stsCallsDuring: stsCallsOf(fake, s, outageFrom, outageTo),
            errors,
          };
        });
        return rows;
      } finally {
        for (const s of sides) s.close();
      }
    });
  } finally {
    await fake.close();
  }
}

export const outageScenario: Scenario = {
  async run(context) {
    const timing = context.quick ? { beforeMs: 2_500, outageMs: 4_000, afterMs: 1_500 } : { beforeMs: 2_500, outageMs: 8_000, afterMs: 2_500 };
    const results: OutageRow[] = [];
    for (const kind of ["500s", "hangs"] as const) results.push(...(await runOutage(kind, context, timing)));

    const ours = results.filter((r) => r.side === "awscreds");
    const sdk = results.filter((r) => r.side === "sdk");
    const worstSdk = sdk.reduce<OutageRow | undefined>((w, r) => (w === undefined || r.failedDuring / r.during > w.failedDuring / w.during ? r : w), undefined);
    const bars: BarCheck[] = [
      {
        bar: "STS down while credentials are valid: 0 failed resolutions, a handful of backed-off STS calls (SDK default: ~75% fail, hundreds of calls)",
        measured:
          ours.map((r) => `${r.kind}, ${r.label.replace(/^awscreds: /, "")}: ${r.failedDuring} failed, ${calls(r.stsCallsDuring)}`).join("; ") +
          (worstSdk ? `; worst SDK: ${worstSdk.label.replace(/^SDK: /, "")} (${worstSdk.kind}) ${formatShare(worstSdk.failedDuring / Math.max(1, worstSdk.during))} failed, ${calls(worstSdk.stsCallsDuring)}` : ""),
        met: ours.length > 0 ? ours.every((r) => r.failedDuring === 0 && r.failedAfter === 0 && r.stsCallsDuring <= 20) : undefined,
      },
    ];
    const notes: string[] = [];
    for (const r of sdk) {
      if (r.failedDuring === 0) {
        notes.push(
          `${r.label} (${r.kind}) failed no resolution: ` +
            (r.key === "sdk-node-chain"
              ? r.kind === "500s"
                ? `its background refresh swallows the errors and keeps serving the valid credentials, but it called STS ${r.stsCallsDuring} times during the outage.`
                : "its background refresh hung (no request timeout on that STS call) while it kept serving the valid credentials; a refresh is retried only once the hung call ends."
              : r.kind === "hangs"
                ? `its callers waited instead (max ${formatMs(r.maxMs)}), since the SDK sets no request timeout on that STS call.`
                : "see the JSON for details."),
        );
      }
    }
    for (const r of ours) {
      if (r.failedDuring > 0 || r.failedAfter > 0 || r.over50 > 0) {
        notes.push(`${r.label} (${r.kind}): ${r.failedDuring} failed during, ${r.failedAfter} after, ${r.over50} over 50 ms — not at its bar.`);
      }
    }

    return {
      tables: [
        {
          title: `STS outage of ${timing.outageMs / 1000} s with valid credentials, ${RATE_PER_SECOND} resolutions/s per provider`,
          columns: ["outage", "provider (behind an SQSClient)", "resolutions during", "failed", "failed share", "> 50 ms", "max latency", "STS calls during"],
          rows: results.map((r) => [
            r.kind,
            r.label,
            formatCount(r.during),
            formatCount(r.failedDuring),
            formatShare(r.during === 0 ? 0 : r.failedDuring / r.during),
            formatCount(r.over50),
            formatMs(r.maxMs),
            formatCount(r.stsCallsDuring),
          ]),
          numericColumns: [2, 3, 4, 5, 6, 7],
        },
      ],
      method:
        `Same setup as scenario 1 (302-second credentials, STS at ${STS_LATENCY_MS} ms, the awscreds refreshers with \`period: ${AWSCREDS_PERIOD_MS}\` ` +
        `so both sides are due to refresh during the outage), at ${RATE_PER_SECOND} resolutions/s per provider. ${timing.beforeMs / 1000} s after the load starts, ` +
        `the fake STS fails every call for ${timing.outageMs / 1000} s — once with HTTP 500 \`InternalFailure\` answered at once, once by never answering ` +
        "(the hanging connections are dropped when it comes back) — then recovers. *Failed* counts resolutions started during the outage that rejected; " +
        "*STS calls* counts the calls the fake received from that provider (retries included) during the outage; *max latency* is over the whole run. One run per outage kind.",
      notes,
      bars,
      data: { timing, ratePerSecond: RATE_PER_SECOND, lifetimeSeconds: LIFETIME_SECONDS, rows: results },
    };
  },
};
