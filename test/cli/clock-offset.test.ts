/**
 * doctor's clock offset against STS: the pure measurement (Date header vs the local round trip), and
 * `--whoami` end to end — in step with the fake STS, and 10 minutes off when a loopback proxy in front of
 * it answers with a later Date (as a server whose clock is right answers a machine whose clock is slow).
 */
import { createServer, request, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockOffsetFrom, clockSkewed } from "../../src/cli/doctor/clock-offset.js";
import { collectDoctorReport } from "../../src/cli/doctor/collect.js";
import { renderDoctorReport } from "../../src/cli/doctor/render.js";
import { makeStyle } from "../../src/cli/style.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";

let fake: FakeAws;
let proxy: Server;
let proxyEndpoint: string;
let home: string;
const AHEAD_MS = 10 * 60_000;

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
  home = mkdtempSync(join(tmpdir(), "awscreds-clock-"));
  // Forwards to the fake STS and stamps the answer with a Date 10 minutes later than this machine's.
  proxy = createServer((req, res) => {
    const target = new URL(fake.sts.endpoint);
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, { ...answer.headers, date: new Date(Date.now() + AHEAD_MS).toUTCString() });
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

describe("clockOffsetFrom", () => {
  const at = Date.parse("2026-12-06T23:00:00.000Z");
  it("the Date header's second against the middle of the round trip, bounded by half of it plus half a second", () => {
    expect(clockOffsetFrom({ dateHeader: "Sun, 06 Dec 2026 23:10:00 GMT", sentAt: at, receivedAt: at + 200 })).toEqual({ offsetMs: 600_400, uncertaintyMs: 600 });
    expect(clockOffsetFrom({ dateHeader: "Sun, 06 Dec 2026 22:59:00 GMT", sentAt: at, receivedAt: at })).toEqual({ offsetMs: -59_500, uncertaintyMs: 500 });
  });

  it("nothing to say without a usable Date header", () => {
    expect(clockOffsetFrom({ dateHeader: undefined, sentAt: at, receivedAt: at })).toBeUndefined();
    expect(clockOffsetFrom({ dateHeader: "yesterday", sentAt: at, receivedAt: at })).toBeUndefined();
  });

  it("skewed only when more than 5 minutes off even at the favourable end of the bound", () => {
    expect(clockSkewed({ offsetMs: 300_400, uncertaintyMs: 600 })).toBe(false);
    expect(clockSkewed({ offsetMs: -301_000, uncertaintyMs: 600 })).toBe(true);
  });
});

describe("doctor --whoami measures the clock", () => {
  const local = (): Record<string, string> => {
    const keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/dev" });
    return { HOME: home, APP_ENV: "local", AWS_REGION: "eu-west-1", AWS_EC2_METADATA_DISABLED: "true", AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
  };

  it("in step with STS: an offset within its bound, no warning, and a line in the checks", async () => {
    const report = await collectDoctorReport(local(), { whoami: true, stsEndpoint: fake.sts.endpoint });
    expect(report.whoami?.ok).toBe(true);
    expect(report.clock).not.toBeNull();
    expect(Math.abs(report.clock!.offsetMs)).toBeLessThanOrEqual(report.clock!.uncertaintyMs + 1_000);
    expect(report.clock).toMatchObject({ skewed: false, measuredAgainst: expect.stringContaining(fake.sts.endpoint) });
    expect(Math.abs(report.clock!.sdkSystemClockOffsetMs)).toBeLessThan(2_000);
    expect(report.warnings.map((w) => w.code)).not.toContain("clock-skew");
    const text = renderDoctorReport(report, { style: makeStyle(false), width: 120, now: Date.now() });
    expect(text).toMatch(/clock\s+in step with STS \(offset [+−]/);
  });

  it("10 minutes behind STS: the offset, the SDK's own correction, and a clock-skew warning", async () => {
    const report = await collectDoctorReport(local(), { whoami: true, stsEndpoint: proxyEndpoint });
    expect(report.whoami).toMatchObject({ ok: true, error: null });
    expect(report.clock!.offsetMs).toBeGreaterThan(AHEAD_MS - report.clock!.uncertaintyMs - 1_000);
    expect(report.clock!.offsetMs).toBeLessThan(AHEAD_MS + report.clock!.uncertaintyMs + 1_000);
    expect(report.clock!.skewed).toBe(true);
    // The SDK corrects itself on an answer more than 5 minutes off.
    expect(report.clock!.sdkSystemClockOffsetMs).toBeGreaterThan(AHEAD_MS - 2_000);
    const warning = report.warnings.find((w) => w.code === "clock-skew");
    expect(warning?.message).toMatch(/This machine's clock is (599|60\d)\.\d s behind STS's/);
    const text = renderDoctorReport(report, { style: makeStyle(false), width: 200, now: Date.now() });
    expect(text).toMatch(/clock\s+this clock is (599|60\d)\.\d s behind STS's/);
  });

  it("no --whoami, no clock (nothing signed was sent)", async () => {
    const report = await collectDoctorReport(local(), { resolve: true });
    expect(report.clock).toBeNull();
  });
});
