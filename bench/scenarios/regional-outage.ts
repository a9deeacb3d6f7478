/**
 * Scenario 9: the primary regional STS goes down for three credential lifetimes. Two regional fake STS
 * (eu-west-1, eu-central-1). The SDK's `fromTokenFile` calls the regional endpoint of eu-west-1 only (no SDK
 * fails over); awscreds' refresher over `fromRegionalWebIdentity` has `failoverRegions: ["eu-central-1"]`.
 * Two kinds of outage: 503 answered at once, and calls that hang.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { fromTokenFile } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createRefresher } from "../../src/refresh/index.js";
import { fromRegionalWebIdentity } from "../../src/sources/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { formatCount, formatMs, formatShare } from "../lib/format.js";
import { runFixedRate } from "../lib/load.js";
import type { BarCheck, BenchContext, Scenario } from "../lib/scenario.js";
import { summarizeLatencies } from "../lib/stats.js";

const RATE_PER_SECOND = 100;
const COOLDOWN_MS = 2_000;
const REQUEST_TIMEOUT_MS = 1_000;

type OutageKind = "503s" | "hangs";
type SideKey = "sdk" | "awscreds";

interface Row {
  kind: OutageKind;
  side: SideKey;
  label: string;
  resolutions: number;
  failed: number;
  maxMs: number;
  primaryCallsDuring: number;
  failoverCallsDuring: number;
  /** From the end of the outage to the first credentials the primary issued to this side; null: none in the run. */
  recoverMs: number | null;
  errors: Record<string, number>;
}

const roleOf = (fake: FakeAws, side: SideKey): string => `arn:aws:iam::${fake.accountId}:role/bench-regional-${side}`;

async function runOutage(kind: OutageKind, context: BenchContext, timing: { lifetimeS: number; beforeMs: number; outageMs: number; afterMs: number }): Promise<Row[]> {
  const sts = { credentialLifetimeSeconds: timing.lifetimeS };
  const [primary, secondary] = await Promise.all([startFakeAws({ region: "eu-west-1", sts }), startFakeAws({ region: "eu-central-1", sts })]);
  const closers: (() => void)[] = [];
  try {
    const tokenFile = await primary.writeWebIdentityToken();
    const clientFor = (credentials: () => Promise<AwsCredentialIdentity>): SQSClient => {
      const client = new SQSClient({ region: "eu-west-1", endpoint: primary.sqs.endpoint, credentials, maxAttempts: 1 });
      closers.push(() => client.destroy());
      return client;
    };
    // The SDK: the regional endpoint of eu-west-1 (here, its fake), nothing else.
    const sdk = clientFor(
      fromTokenFile({
        roleArn: roleOf(primary, "sdk"),
        webIdentityTokenFile: tokenFile,
        roleSessionName: "bench-regional-sdk",
        clientConfig: { region: "eu-west-1", endpoint: primary.sts.endpoint },
      }),
    );
    // awscreds: the same primary, eu-central-1 as its failover region (`endpoint` as a function of the region).
    const refresher = createRefresher(
      fromRegionalWebIdentity({
        env: {},
        region: "eu-west-1",
        endpoint: (region) => (region === "eu-west-1" ? primary.sts.endpoint : secondary.sts.endpoint),
        failoverRegions: ["eu-central-1"],
        failoverCooldownMs: COOLDOWN_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        roleArn: roleOf(primary, "awscreds"),
        webIdentityTokenFile: tokenFile,
        roleSessionName: "bench-regional-awscreds",
      }),
      { name: "regional-outage" },
    );
    closers.push(() => refresher.stop());
    const ours = clientFor(refresher);
    await Promise.all([sdk.config.credentials(), refresher.ready]);

    let outageFrom = 0;
    let outageTo = 0;
    const begin = setTimeout(() => {
      outageFrom = Date.now();
      if (kind === "503s") primary.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 503, code: "ServiceUnavailable", message: "Service is unavailable (bench outage)" });
      else primary.sts.faults.hangNext(Number.POSITIVE_INFINITY);
    }, timing.beforeMs);
    const end = setTimeout(() => {
      outageTo = Date.now();
      primary.sts.faults.restore(); // also lets hanging calls go
    }, timing.beforeMs + timing.outageMs);
    const records = await runFixedRate(
      [
        { name: "sdk", resolve: () => sdk.config.credentials() },
        { name: "awscreds", resolve: () => ours.config.credentials() },
      ],
      { ratePerSecond: RATE_PER_SECOND, durationMs: timing.beforeMs + timing.outageMs + timing.afterMs },
    );
    clearTimeout(begin);
    clearTimeout(end);
    context.log(`regional outage (${kind}): ${(outageTo - outageFrom) / 1000} s outage done`);

    return (["sdk", "awscreds"] as const).map((side): Row => {
      const r = records.get(side)!;
      const role = roleOf(primary, side);
      const callsOf = (fake: FakeAws): number =>
        fake.sts.calls.filter((c) => c.details.roleArn === role && c.time >= outageFrom && c.time < outageTo).length;
      const firstIssued = primary.sts.issued.find((i) => i.roleArn === role && i.issuedAt >= outageTo);
      const errors: Record<string, number> = {};
      for (const f of r.failures) errors[f.error] = (errors[f.error] ?? 0) + 1;
      return {
        kind,
        side,
        label: side === "sdk" ? "SDK: fromTokenFile (regional endpoint)" : "awscreds: createRefresher(fromRegionalWebIdentity), failoverRegions",
        resolutions: r.samples.length + r.failures.length + r.unsettled,
        failed: r.failures.length + r.unsettled,
        maxMs: summarizeLatencies(r.samples.map((s) => s.ms), 50).max,
        primaryCallsDuring: callsOf(primary),
        failoverCallsDuring: callsOf(secondary),
        recoverMs: firstIssued ? firstIssued.issuedAt - outageTo : null,
        errors,
      };
    });
  } finally {
    for (const close of closers) close();
    await Promise.all([primary.close(), secondary.close()]);
  }
}

export const regionalOutageScenario: Scenario = {
  async run(context) {
    const lifetimeS = context.quick ? 3 : 4;
    const timing = { lifetimeS, beforeMs: 2_000, outageMs: 3 * lifetimeS * 1_000, afterMs: context.quick ? 10_000 : 14_000 };
    const rows: Row[] = [];
    for (const kind of ["503s", "hangs"] as const) rows.push(...(await runOutage(kind, context, timing)));
    const ours = rows.filter((r) => r.side === "awscreds");
    const sdk = rows.filter((r) => r.side === "sdk");
    const bars: BarCheck[] = [
      {
        bar: "The primary regional STS down for longer than the credentials live: 0 failed resolutions with a failover region",
        measured:
          ours.map((r) => `${r.kind}: ${r.failed} failed, ${r.primaryCallsDuring} calls to the primary, back on it ${r.recoverMs === null ? "never" : formatMs(r.recoverMs)} after`).join("; ") +
          "; SDK: " +
          sdk.map((r) => `${r.kind}: ${formatShare(r.failed / Math.max(1, r.resolutions))} failed, ${r.primaryCallsDuring} calls`).join("; "),
        met: ours.length > 0 ? ours.every((r) => r.failed === 0) : undefined,
      },
    ];
    const notes: string[] = [];
    for (const r of sdk) {
      if (r.kind === "hangs" && r.failed === 0) {
        notes.push(`${r.label} (hangs) failed no resolution only because its callers waited (max ${formatMs(r.maxMs)}): the SDK sets no request timeout on that STS call.`);
      }
    }
    for (const r of ours) if (r.failed > 0) notes.push(`${r.label} (${r.kind}): ${r.failed} failed — not at its bar (${JSON.stringify(r.errors)}).`);
    return {
      tables: [
        {
          title: `Primary regional STS down for ${timing.outageMs / 1000} s (3 credential lifetimes of ${lifetimeS} s), ${RATE_PER_SECOND} resolutions/s per provider`,
          columns: ["outage", "provider (behind an SQSClient)", "resolutions", "failed", "failed share", "max latency", "calls to primary during", "calls to failover region", "back on primary after"],
          rows: rows.map((r) => [
            r.kind,
            r.label,
            formatCount(r.resolutions),
            formatCount(r.failed),
            formatShare(r.failed / Math.max(1, r.resolutions)),
            formatMs(r.maxMs),
            formatCount(r.primaryCallsDuring),
            formatCount(r.failoverCallsDuring),
            r.recoverMs === null ? "—" : formatMs(r.recoverMs),
          ]),
          numericColumns: [2, 3, 4, 5, 6, 7, 8],
        },
      ],
      method:
        `Two fake regional STS (eu-west-1 primary, eu-central-1) issuing ${lifetimeS}-second credentials; ${RATE_PER_SECOND} resolutions/s per provider through an SQSClient. ` +
        `${timing.beforeMs / 1000} s after the load starts, the primary fails every call for ${timing.outageMs / 1000} s — once with HTTP 503 \`ServiceUnavailable\`, ` +
        `once by never answering — then recovers; the load goes on for ${timing.afterMs / 1000} s. The SDK side is \`fromTokenFile\` on the primary's regional endpoint ` +
        `(no SDK fails over). The awscreds side is \`createRefresher(fromRegionalWebIdentity({ failoverRegions: ["eu-central-1"], failoverCooldownMs: ${COOLDOWN_MS}, ` +
        `requestTimeoutMs: ${REQUEST_TIMEOUT_MS} }))\`: the cool-down and timeout are scaled down with the lifetimes (defaults: 30 s and 5 s, for credentials that live an hour). ` +
        "*Failed* counts resolutions that rejected (or never settled) over the whole run; *calls* count the calls each fake received from that side during the outage; " +
        "*back on primary after* is from the end of the outage to the first credentials the primary issued to that side.",
      notes,
      bars,
      data: { timing, ratePerSecond: RATE_PER_SECOND, cooldownMs: COOLDOWN_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, rows },
    };
  },
};
