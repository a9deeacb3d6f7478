/**
 * `awscreds demo`: the embedded fake AWS, and the same small service three times — on awscreds (env-gated
 * chain in deployed mode, web identity, background refresher), on the SDK's `fromTokenFile` behind the
 * client's own credential cache, and on the SDK's default chain (`fromNodeProviderChain`, what a client
 * uses without a `credentials` option) — with a live status and a summary. Towards the end STS goes down
 * (every call answers 503) while everyone's credentials are still valid: what each side's requests and
 * STS calls do then is the other half of the comparison.
 *
 * Why credentials live 302 s: the SDK's client cache refreshes inline once credentials are within 5 minutes
 * of expiry, so 302 s makes it refresh every ~2 s — an hour of production compressed into seconds, with
 * the SDK behaving exactly as it does in production (one inline refresh per cycle). A lifetime of a few
 * seconds would put every request inside that window and exaggerate the SDK's waits. The awscreds side
 * is given `period: 2000` so it refreshes just as often, in the background.
 */
import { fromNodeProviderChain, fromTokenFile } from "@aws-sdk/credential-providers";
import { createRefresher } from "../../refresh/index.js";
import { fromEnvGatedChain } from "../../sources/index.js";
import { canRequire } from "../../shared/lazy-require.js";
import { sleep } from "../../sqs/sleep.js";
import { startFakeAws } from "../../testing/index.js";
import type { CliIo } from "../io.js";
import type { Style } from "../style.js";
import { formatMs } from "../time-format.js";
import { LiveBlock, renderSummary, statusLine } from "./display.js";
import { isolateAwsEnv } from "./isolated-env.js";
import { DemoSide } from "./side.js";
import { demoMetricsMissing, startDemoMetrics, type DemoMetrics } from "./metrics.js";

export interface DemoOptions {
  durationMs: number;
  stsLatencyMs: number;
  ratePerSecond: number;
  /** STS answers 503 to every call for the last `outageMs` of the run (0: no outage). */
  outageMs: number;
  /** Serve the awscreds side's metrics on `http://127.0.0.1:<port>/metrics` while the demo runs. */
  prometheusPort?: number;
}

/** Credentials from the fake STS live this long: 2 s past the SDK's 5-minute refresh window. */
export const DEMO_CREDENTIAL_LIFETIME_SECONDS = 302;
/** The awscreds refresher's period, matching the SDK side's refresh cadence. */
export const DEMO_REFRESH_PERIOD_MS = 2_000;

/** A request "waited on STS" when its credentials took longer than this. */
export function waitThresholdMs(stsLatencyMs: number): number {
  return Math.min(50, Math.max(5, Math.round(stsLatencyMs / 2)));
}

/**
 * Runs the demo and resolves with the exit code: 0, or 1 if a request of the awscreds side failed (the
 * SDK sides failing during the outage is what the demo shows, not a failure of the demo).
 *
 * @example
 * ```ts
 * const code = await runDemoScenario({ durationMs: 6_000, stsLatencyMs: 300, ratePerSecond: 25, outageMs: 2_000 }, io, style);
 * ```
 */
export async function runDemoScenario(options: DemoOptions, io: CliIo, style: Style): Promise<number> {
  const restoreEnv = isolateAwsEnv();
  const fake = await startFakeAws({
    sts: { credentialLifetimeSeconds: DEMO_CREDENTIAL_LIFETIME_SECONDS, latencyMs: options.stsLatencyMs },
  }).catch((error: unknown) => {
    restoreEnv();
    throw error;
  });
  const sides: DemoSide[] = [];
  let metrics: DemoMetrics | undefined;
  try {
    if (options.prometheusPort !== undefined && !canServePrometheus()) {
      io.stderr.write("awscreds demo --prometheus needs @opentelemetry/api, @opentelemetry/sdk-metrics and @opentelemetry/exporter-prometheus: npm install --save-dev them\n");
      return 1;
    }
    metrics = await startDemoMetrics(options.prometheusPort);
    const tokenFile = await fake.writeWebIdentityToken();
    const role = (name: string): string => `arn:aws:iam::${fake.accountId}:role/${name}`;
    const threshold = waitThresholdMs(options.stsLatencyMs);

    // awscreds, configured as a deployed service on EKS would be: the variables IRSA sets, passed as `env`
    // (the only addition is the fake's STS endpoint).
    const refresher = createRefresher(
      fromEnvGatedChain({
        env: {
          APP_ENV: "production",
          AWS_REGION: fake.region,
          AWS_ROLE_ARN: role("demo-awscreds"),
          AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
          AWS_ROLE_SESSION_NAME: "awscreds-demo",
        },
        webIdentity: { endpoint: fake.sts.endpoint },
        telemetry: metrics?.telemetry ?? false,
      }),
      { period: DEMO_REFRESH_PERIOD_MS, name: "awscreds demo", telemetry: metrics?.telemetry ?? false },
    );
    sides.push(
      new DemoSide({
        name: "awscreds",
        detail: "createRefresher(fromEnvGatedChain())",
        roleArn: role("demo-awscreds"),
        credentials: refresher,
        fake,
        queueName: "demo-awscreds",
        waitThresholdMs: threshold,
        telemetry: metrics?.telemetry ?? false,
        release: () => refresher.stop(),
      }),
    );
    // The SDK's provider for IRSA, cached and refreshed inline by the client.
    sides.push(
      new DemoSide({
        name: "fromTokenFile",
        detail: "the SDK's fromTokenFile() behind the SQSClient's credential cache: refreshes inline",
        roleArn: role("demo-sdk"),
        credentials: fromTokenFile({
          roleArn: role("demo-sdk"),
          webIdentityTokenFile: tokenFile,
          roleSessionName: "sdk-demo",
          clientConfig: { endpoint: fake.sts.endpoint, region: fake.region },
        }),
        fake,
        queueName: "demo-sdk",
        waitThresholdMs: threshold,
      }),
    );
    // The SDK's default chain, as a client without `credentials` gets it: it reads the IRSA variables from
    // process.env (isolated above, so only these), and refreshes in the background in this SDK version.
    process.env.AWS_ROLE_ARN = role("demo-sdk-chain");
    process.env.AWS_WEB_IDENTITY_TOKEN_FILE = tokenFile;
    process.env.AWS_ROLE_SESSION_NAME = "sdk-chain-demo";
    sides.push(
      new DemoSide({
        name: "default chain",
        detail: "the SDK's default chain, fromNodeProviderChain() (a client with no credentials option)",
        roleArn: role("demo-sdk-chain"),
        credentials: fromNodeProviderChain({ clientConfig: { endpoint: fake.sts.endpoint, region: fake.region } }),
        fake,
        queueName: "demo-sdk-chain",
        waitThresholdMs: threshold,
      }),
    );

    const outageMs = Math.min(options.outageMs, options.durationMs);
    const out = (text: string): void => void io.stdout.write(text);
    out(
      `${style.bold("awscreds demo")} — ${options.durationMs / 1000} s against a fake AWS on 127.0.0.1 (nothing leaves this machine)\n` +
        `  STS answers in ${options.stsLatencyMs} ms; credentials live ${DEMO_CREDENTIAL_LIFETIME_SECONDS} s, so the SDK's client cache ` +
        `(5-minute window) refreshes every ~2 s, and so does the awscreds refresher, in the background.\n` +
        (outageMs > 0
          ? `  For the last ${outageMs / 1000} s STS is down (every call answers 503) while the credentials in hand are still valid.\n`
          : "") +
        `  Each side: SendMessage ${options.ratePerSecond}/s to its own queue + a long-polling consume() consumer. ` +
        `"waited on STS": a request whose credentials took > ${threshold} ms.\n` +
        (metrics?.prometheusUrl !== undefined ? `  Prometheus can scrape the awscreds side's metrics at ${metrics.prometheusUrl} while the demo runs.\n` : "") +
        "\n",
    );

    // A service waits for its readiness probe; awscreds' probe is `ready` (the prefetch).
    await refresher.ready.catch(() => undefined);
    const started = Date.now();
    for (const side of sides) side.start(options.ratePerSecond);

    const nameWidth = Math.max(...sides.map((s) => s.snapshot().name.length));
    const elapsed = (): string => style.dim(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`);
    let outageStarted = false;
    const outageTimer =
      outageMs > 0
        ? setTimeout(() => {
            outageStarted = true;
            fake.sts.faults.failNext(Infinity, { status: 503, code: "ServiceUnavailable", message: "STS is down (awscreds demo)" });
            if (io.stdout.isTTY !== true) out(`[${elapsed()}] ${style.yellow("STS is down from here on: every call answers 503")}\n`);
          }, options.durationMs - outageMs)
        : undefined;
    if (io.stdout.isTTY === true) {
      // Some terminals (and `script`) report 0 columns: fall back to a common width.
      const columns = io.stdout.columns !== undefined && io.stdout.columns >= 20 ? io.stdout.columns : 100;
      const live = new LiveBlock(out, columns);
      const lines = (): string[] => [
        ...sides.map((s) => `${elapsed()}  ${statusLine(s.snapshot(), style, nameWidth)}`),
        outageStarted ? style.yellow("         STS is down: every call answers 503") : style.dim("         STS is up"),
      ];
      while (Date.now() - started < options.durationMs && !io.signal?.aborted) {
        live.draw(lines());
        await sleep(Math.min(250, options.durationMs - (Date.now() - started)), io.signal);
      }
      live.draw(lines());
    } else {
      const every = Math.min(5_000, Math.max(1_000, Math.round(options.durationMs / 4)));
      while (Date.now() - started < options.durationMs && !io.signal?.aborted) {
        await sleep(Math.min(every, options.durationMs - (Date.now() - started)), io.signal);
        for (const s of sides) out(`[${elapsed()}] ${statusLine(s.snapshot(), style, nameWidth)}\n`);
      }
    }
    clearTimeout(outageTimer);
    const ranMs = Date.now() - started;
    if (io.signal?.aborted) out(style.dim("\ninterrupted; stopping…\n"));
    // Read before the sides stop: a stopped refresher no longer reports its time to expiry.
    const metricsText = await metricsSummary(metrics, style);
    await Promise.all(sides.map((s) => s.stop()));
    const snapshots = sides.map((s) => s.snapshot());
    out(
      renderSummary(
        snapshots,
        {
          durationMs: ranMs,
          stsLatencyMs: options.stsLatencyMs,
          lifetimeSeconds: DEMO_CREDENTIAL_LIFETIME_SECONDS,
          ratePerSecond: options.ratePerSecond,
          waitThresholdMs: threshold,
          outageMs: outageStarted ? outageMs : 0,
        },
        style,
      ),
    );
    out(metricsText);
    const failed = snapshots[0]!.failed;
    if (failed > 0) {
      io.stderr.write(`awscreds demo: ${failed} requests of the awscreds side failed (see the last errors above).\n`);
      return 1;
    }
    out(style.dim(`\nSTS answered in ${formatMs(options.stsLatencyMs)} while it was up; try --sts-latency 1000 to make the difference starker.\n`));
    return 0;
  } finally {
    await Promise.allSettled(sides.map((s) => s.stop()));
    await metrics?.shutdown();
    await fake.close();
    restoreEnv();
  }
}

function canServePrometheus(): boolean {
  return demoMetricsMissing() === undefined && canRequire("@opentelemetry/exporter-prometheus");
}

/** The awscreds side's OpenTelemetry metrics, as an in-process reader saw them at the end. */
async function metricsSummary(metrics: DemoMetrics | undefined, style: Style): Promise<string> {
  if (metrics === undefined) {
    return style.dim(`\nMetrics: install ${demoMetricsMissing() ?? "@opentelemetry/sdk-metrics"} to see the awscreds side's OpenTelemetry metrics here.\n`);
  }
  const lines = await metrics.summary();
  return `\n${style.bold("Metrics of the awscreds side")} ${style.dim("(OpenTelemetry, in-process reader; see docs/telemetry.md)")}\n${lines.map((l) => `  ${l}\n`).join("")}`;
}
