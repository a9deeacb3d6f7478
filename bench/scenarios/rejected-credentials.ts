/**
 * Scenario 13: AWS rejects the credentials in hand while they still look valid (a session revoked during
 * an incident, a role recreated, a clock far off): the fake SQS is told the key each provider signs with
 * is expired (`fake.expireCredentials`), 1-hour credentials, requests keep coming. How many requests fail,
 * and how long until requests succeed again?
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { startFakeAws } from "../../src/testing/index.js";
import type { Refresher } from "../../src/refresh/index.js";
import { withEnv } from "../lib/env.js";
import { formatCount, formatMs } from "../lib/format.js";
import { runFixedRate } from "../lib/load.js";
import type { BarCheck, BenchContext, Scenario } from "../lib/scenario.js";
import { buildSides, sdkChainEnv, stsCallsOf, type Side } from "../lib/sides.js";

const LIFETIME_SECONDS = 3_600;
const RATE_PER_SECOND = 50;
const STS_LATENCY_MS = 100;

interface RejectionRow {
  key: string;
  label: string;
  side: "sdk" | "awscreds";
  /** Requests started after the rejection. */
  after: number;
  failedAfter: number;
  /** From the rejection to the last failed request's start (undefined: none failed; Infinity: still failing at the end). */
  recoverMs: number | undefined;
  stsCallsAfter: number;
  errors: Record<string, number>;
}

export const rejectedCredentialsScenario: Scenario = {
  async run(context: BenchContext) {
    const timing = context.quick ? { beforeMs: 1_000, afterMs: 4_000 } : { beforeMs: 2_000, afterMs: 10_000 };
    const fake = await startFakeAws({ sts: { credentialLifetimeSeconds: LIFETIME_SECONDS, latencyMs: STS_LATENCY_MS } });
    let rows: RejectionRow[];
    try {
      const tokenFile = await fake.writeWebIdentityToken();
      const queueUrl = fake.sqs.createQueue("bench-rejected");
      rows = await withEnv(sdkChainEnv(fake, tokenFile), async () => {
        const sides = buildSides({ fake, tokenFile });
        try {
          // One line per client on the awscreds side: attach() (the SDK has no equivalent).
          for (const s of sides) if (s.side === "awscreds") (s.client.config.credentials as unknown as Refresher).attach(s.client);
          await Promise.all(sides.map((s) => s.warm()));
          const rejectAt = { t: 0, epoch: 0 };
          const timer = setTimeout(() => {
            rejectAt.epoch = Date.now();
            // What AWS does when a session is revoked: the key each side signs with is refused from now on.
            void Promise.all(sides.map(async (s) => fake.expireCredentials((await s.resolve()).accessKeyId)));
          }, timing.beforeMs);
          const started = Date.now();
          const records = await runFixedRate(
            sides.map((s: Side) => ({ name: s.key, resolve: () => s.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "bench" })) })),
            { ratePerSecond: RATE_PER_SECOND, durationMs: timing.beforeMs + timing.afterMs },
          );
          clearTimeout(timer);
          rejectAt.t = rejectAt.epoch - started;
          return sides.map((s): RejectionRow => {
            const record = records.get(s.key)!;
            const after = record.samples.filter((x) => x.t >= rejectAt.t).length + record.failures.filter((f) => f.t >= rejectAt.t).length;
            const failed = record.failures.filter((f) => f.t >= rejectAt.t);
            const errors: Record<string, number> = {};
            for (const f of failed) errors[f.error] = (errors[f.error] ?? 0) + 1;
            const lastFailure = failed.at(-1)?.t;
            const lastSuccess = record.samples.filter((x) => x.t >= rejectAt.t).at(-1)?.t ?? -1;
            const recoverMs = lastFailure === undefined ? undefined : lastFailure > lastSuccess ? Number.POSITIVE_INFINITY : lastFailure - rejectAt.t;
            return {
              key: s.key,
              label: s.label,
              side: s.side,
              after,
              failedAfter: failed.length,
              recoverMs,
              stsCallsAfter: stsCallsOf(fake, s, rejectAt.epoch),
              errors,
            };
          });
        } finally {
          for (const s of sides) s.close();
        }
      });
    } finally {
      await fake.close();
    }

    const ours = rows.filter((r) => r.side === "awscreds");
    const recoverText = (r: RejectionRow): string =>
      r.recoverMs === undefined ? "at once (0 failed)" : Number.isFinite(r.recoverMs) ? `${formatMs(r.recoverMs)}` : `not within ${timing.afterMs / 1000} s`;
    const bars: BarCheck[] = [
      {
        bar: "Credentials rejected by AWS while they look valid: the caller sees 0 failed requests, 1 STS call",
        measured: ours.map((r) => `${r.key}: ${r.failedAfter} failed, ${r.stsCallsAfter} STS call(s)`).join("; "),
        met: ours.length > 0 && ours.every((r) => r.failedAfter === 0 && r.stsCallsAfter === 1),
      },
    ];
    const notes = rows
      .filter((r) => r.side === "sdk" && r.failedAfter > 0)
      .map(
        (r) =>
          `${r.label}: every request after the rejection failed (${Object.entries(r.errors)
            .map(([k, v]) => `${v} × ${k}`)
            .join(", ")}); its client keeps the rejected credentials until its own refresh window, 5 minutes before their expiry — here ~55 minutes later.`,
      );
    return {
      tables: [
        {
          title: `Credentials rejected while valid (1-hour credentials), ${RATE_PER_SECOND} SendMessage/s per provider`,
          columns: ["provider (behind an SQSClient, maxAttempts 1)", "requests after", "failed", "time to recover", "STS calls after"],
          rows: rows.map((r) => [r.label, formatCount(r.after), formatCount(r.failedAfter), recoverText(r), formatCount(r.stsCallsAfter)]),
          numericColumns: [1, 2, 4],
        },
      ],
      method:
        `Each provider behind its own \`SQSClient\` (\`maxAttempts: 1\`, so the SDK's retries hide nothing); awscreds' refreshers are wired with \`attach(client)\`. ` +
        `1-hour credentials from the fake STS (${STS_LATENCY_MS} ms). SendMessage at ${RATE_PER_SECOND}/s per provider (open loop); ${timing.beforeMs / 1000} s in, ` +
        `the fake SQS is told that the key each provider signs with is expired (\`fake.expireCredentials\`: it answers \`ExpiredToken\`, as AWS does for a revoked session), ` +
        `then ${timing.afterMs / 1000} s more. *Failed* counts requests started after that which the caller saw fail; *time to recover* is from the rejection to the last failed request; ` +
        "*STS calls after* counts AssumeRoleWithWebIdentity calls the fake received from that provider after the rejection. One run.",
      notes,
      bars,
      data: { timing, ratePerSecond: RATE_PER_SECOND, lifetimeSeconds: LIFETIME_SECONDS, rows },
    };
  },
};
