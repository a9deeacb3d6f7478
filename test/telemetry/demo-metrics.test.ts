/**
 * The demo's metrics: the in-process summary of a real refresher, and `--prometheus` serving the same
 * metrics on loopback through the OpenTelemetry Prometheus exporter.
 */
import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { startDemoMetrics, type DemoMetrics } from "../../src/cli/demo/metrics.js";
import { createRefresher } from "../../src/index.js";

const opened: DemoMetrics[] = [];
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const m of opened.splice(0)) await m.shutdown();
});

const source = async () => ({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", expiration: new Date(Date.now() + 600_000) });

describe("demo metrics", () => {
  it("summarizes what the awscreds side reported: refreshes with reason and outcome, time to expiry", async () => {
    const metrics = (await startDemoMetrics())!;
    opened.push(metrics);
    const credentials = createRefresher(source, { name: "awscreds demo", telemetry: metrics.telemetry });
    stops.push(() => credentials.stop());
    await credentials.ready;
    const lines = await metrics.summary();
    expect(lines).toContainEqual(expect.stringMatching(/^awscreds\.credentials\.refresh\.duration {2}awscreds\.source=custom awscreds\.refresh\.reason=initial outcome=success {2}1 × [\d.]+ ms mean$/));
    expect(lines).toContainEqual(expect.stringMatching(/^awscreds\.credentials\.ttl {2}awscreds\.source=custom {2}(59\d|600)\.\d s$/));
    // A counter that never counted says nothing in the summary.
    expect(lines.filter((l) => l.startsWith("awscreds.credentials.stale_served"))).toEqual([]);
  });

  it("--prometheus: the same metrics on http://127.0.0.1:<port>/metrics, in Prometheus' text format", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const metrics = (await startDemoMetrics(port))!;
    opened.push(metrics);
    expect(metrics.prometheusUrl).toBe(`http://127.0.0.1:${port}/metrics`);
    const credentials = createRefresher(source, { name: "awscreds demo", telemetry: metrics.telemetry });
    stops.push(() => credentials.stop());
    await credentials.ready;
    const text = await (await fetch(metrics.prometheusUrl!)).text();
    expect(text).toMatch(/^awscreds_credentials_refresh_duration_count\{awscreds_provider="awscreds demo",awscreds_source="custom",awscreds_refresh_reason="initial",outcome="success".*\} 1$/m);
    expect(text).toMatch(/^awscreds_credentials_ttl\{awscreds_provider="awscreds demo",awscreds_source="custom".*\} \d+/m);
    // Loopback only: the same port on this machine's other addresses refuses the connection.
    const external = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && !a.internal && a.family === "IPv4");
    expect(external, "this test needs a non-loopback IPv4 address to prove the server is not on it").toBeDefined();
    await expect(fetch(`http://${external!.address}:${port}/metrics`)).rejects.toThrow();
  });
});
