/**
 * `main(argv, io)` in-process: the same command with captured output and its own variables — colour on a
 * TTY (and not with NO_COLOR), secrets absent from every rendering, the doctor's reasoning in cases the
 * subprocess tests do not cover, and the demo's live status on a TTY.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectDoctorReport } from "../../src/cli/doctor/collect.js";
import type { CliIo } from "../../src/cli/io.js";
import { COMMAND_HELP, TOP_HELP } from "../../src/cli/help.js";
import { main } from "../../src/cli/main.js";
import type { EnvVars } from "../../src/shared/env.js";
import { makeFakeWebIdentityToken, startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { ANSI, SECRET_SHAPE, SGR } from "./support/cli.js";

let fake: FakeAws;
let dir: string;

beforeAll(async () => {
  fake = await startFakeAws({ sts: { credentialLifetimeSeconds: 900 } });
  dir = mkdtempSync(join(tmpdir(), "awscreds-cli-main-"));
});

afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Captured {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

function capture(env: EnvVars, tty = false): Captured {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: { write: (s: string) => (out += s), isTTY: tty, columns: 100 },
      stderr: { write: (s: string) => (err += s), isTTY: tty },
      // Every in-process run keeps the instance metadata service out of it.
      env: { HOME: dir, AWS_EC2_METADATA_DISABLED: "true", ...env },
    },
    stdout: () => out,
    stderr: () => err,
  };
}

function tokenFile(name: string, claims: Parameters<typeof makeFakeWebIdentityToken>[0]): string {
  const path = join(dir, name);
  writeFileSync(path, makeFakeWebIdentityToken(claims));
  return path;
}

const deployed = (extra: Record<string, string> = {}): Record<string, string> => ({
  APP_ENV: "Production ",
  AWS_REGION: fake.region,
  AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/app",
  AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile("token-ok", {}),
  ...extra,
});

describe("help", () => {
  it("every subcommand answers --help, -h and `awscreds help <command>` with its own help, exit 0", async () => {
    expect(Object.keys(COMMAND_HELP).sort()).toEqual(["demo", "doctor", "fake"]);
    for (const [command, help] of Object.entries(COMMAND_HELP)) {
      expect(help).toContain(`awscreds ${command}`);
      expect(TOP_HELP).toContain(`  ${command} `);
      for (const argv of [[command, "--help"], [command, "-h"], ["help", command]]) {
        const c = capture({});
        expect(await main(argv, c.io), argv.join(" ")).toBe(0);
        expect(c.stdout(), argv.join(" ")).toBe(help);
        expect(c.stderr()).toBe("");
      }
    }
    const unknown = capture({});
    expect(await main(["help", "nope"], unknown.io)).toBe(2);
    expect(unknown.stderr()).toContain('unknown command "nope"');
  });
});

describe("doctor, in-process", () => {
  it("colours on a TTY, not with NO_COLOR, and never in --json", async () => {
    const env = { APP_ENV: "local", AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE01", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    const coloured = capture(env, true);
    expect(await main(["doctor"], coloured.io)).toBe(0);
    expect(coloured.stdout()).toMatch(ANSI);

    const noColor = capture({ ...env, NO_COLOR: "1" }, true);
    expect(await main(["doctor"], noColor.io)).toBe(0);
    expect(noColor.stdout()).not.toMatch(ANSI);

    const json = capture(env, true);
    expect(await main(["doctor", "--json"], json.io)).toBe(0);
    expect(json.stdout()).not.toMatch(ANSI);
    for (const c of [coloured, noColor, json]) {
      expect(c.stdout() + c.stderr()).not.toContain("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
      expect(c.stdout()).not.toContain("AKIAEXAMPLEEXAMPLE01");
    }
  });

  it("--resolve --json in local mode: masked key id, no secret, verified verdict", async () => {
    const keys = fake.registerStaticKeys();
    const c = capture({ APP_ENV: "dev", AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_SESSION_TOKEN: "session-token-value-abc" });
    expect(await main(["doctor", "--resolve", "--json"], c.io)).toBe(0);
    const report = JSON.parse(c.stdout()) as { verdict: { basis: string; ok: boolean }; resolve: { accessKeyId: string; source: string } };
    expect(report.verdict).toMatchObject({ ok: true, basis: "verified" });
    expect(report.resolve).toMatchObject({ source: "env-keys", accessKeyId: `${keys.accessKeyId.slice(0, 4)}…${keys.accessKeyId.slice(-4)}` });
    expect(c.stdout()).not.toContain(keys.secretAccessKey);
    expect(c.stdout()).not.toContain("session-token-value-abc");
    expect(c.stdout()).not.toMatch(SECRET_SHAPE);
  });

  it("no APP_ENV: exit 1 naming APP_ENV, mode null", async () => {
    const c = capture({});
    expect(await main(["doctor"], c.io)).toBe(1);
    expect(c.stdout()).toContain("APP_ENV is not set");
    const report = await collectDoctorReport({});
    expect(report.appEnv.mode).toBeNull();
    expect(report.verdict).toMatchObject({ ok: false, basis: "predicted", source: null });
    expect(report.sources).toEqual([]);
  });

  it("custom deployed environments are honoured (--deployed-envs), case and spaces ignored", async () => {
    const report = await collectDoctorReport({ APP_ENV: " LIVE ", AWS_REGION: "eu-west-1", AWS_EC2_METADATA_DISABLED: "true" }, { deployedEnvs: ["live"] });
    expect(report.appEnv).toEqual({ value: "LIVE", from: "APP_ENV", mode: "deployed", deployedEnvs: ["live"] });
  });

  it("an expired token, a foreign audience: predicted failure and a warning, before any STS call", async () => {
    const calls = fake.sts.count();
    const expired = await collectDoctorReport(
      { ...deployed({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile("token-expired", { exp: Math.floor(Date.now() / 1000) - 60 }) }), AWS_EC2_METADATA_DISABLED: "true" },
      { stsEndpoint: fake.sts.endpoint },
    );
    expect(expired.verdict.ok).toBe(false);
    expect(expired.verdict.reason).toContain("expired at");
    expect(expired.webIdentityToken?.claims?.expired).toBe(true);

    const foreign = await collectDoctorReport(
      { ...deployed({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile("token-vault", { aud: "vault" }) }), AWS_EC2_METADATA_DISABLED: "true" },
      { stsEndpoint: fake.sts.endpoint },
    );
    expect(foreign.verdict.ok).toBe(true);
    expect(foreign.warnings.map((w) => w.code)).toContain("token-audience");

    writeFileSync(join(dir, "token-garbage"), "not a jwt");
    const garbage = await collectDoctorReport(
      { ...deployed(), AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "token-garbage"), AWS_EC2_METADATA_DISABLED: "true" },
      { stsEndpoint: fake.sts.endpoint },
    );
    expect(garbage.verdict.ok).toBe(false);
    expect(garbage.verdict.reason).toContain("does not hold a JWT");
    expect(garbage.webIdentityToken).toMatchObject({ readable: true, claims: null });
    expect(fake.sts.count()).toBe(calls);
  });

  it("the regional STS endpoint and why; no region or a plain-http endpoint are failures", async () => {
    const regional = await collectDoctorReport({ ...deployed({ AWS_REGION: "cn-north-1", AWS_STS_REGIONAL_ENDPOINTS: "legacy" }), AWS_EC2_METADATA_DISABLED: "true" });
    expect(regional.stsEndpoint).toMatchObject({ url: "https://sts.cn-north-1.amazonaws.com.cn", kind: "regional", problem: null });
    expect(regional.stsEndpoint?.reason).toContain("whatever AWS_STS_REGIONAL_ENDPOINTS=legacy says");
    expect(regional.verdict.ok).toBe(true);
    expect(regional.warnings.map((w) => w.code)).toContain("sts-regional-endpoints-legacy");

    const env = deployed();
    delete env.AWS_REGION;
    const noRegion = await collectDoctorReport({ ...env, AWS_EC2_METADATA_DISABLED: "true" });
    expect(noRegion.verdict.ok).toBe(false);
    expect(noRegion.verdict.reason).toContain("no region is configured for STS");

    const insecure = await collectDoctorReport({ ...deployed(), AWS_EC2_METADATA_DISABLED: "true" }, { stsEndpoint: "http://sts.example.internal" });
    expect(insecure.verdict.ok).toBe(false);
    expect(insecure.verdict.reason).toContain("plain http");
    expect(insecure.warnings.map((w) => w.code)).toContain("insecure-endpoint");
  });

  it("AWS_ENDPOINT_URL_STS is not followed (as the provider does not) and says so", async () => {
    const report = await collectDoctorReport({ ...deployed({ AWS_ENDPOINT_URL_STS: fake.sts.endpoint }), AWS_EC2_METADATA_DISABLED: "true" });
    expect(report.stsEndpoint?.url).toBe(`https://sts.${fake.region}.amazonaws.com`);
    expect(report.warnings.map((w) => w.code)).toContain("sts-endpoint-variable-ignored");
  });

  it("--whoami without a region or endpoint fails with the reason, after resolving", async () => {
    const c = capture({ APP_ENV: "local", AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE01", AWS_SECRET_ACCESS_KEY: "secret-value" });
    expect(await main(["doctor", "--whoami"], c.io)).toBe(1);
    expect(c.stdout()).toContain("no STS endpoint for GetCallerIdentity");
    expect(c.stdout()).toContain("✗ Credentials resolve, but GetCallerIdentity fails");
  });
});

describe("demo, in-process on a TTY", () => {
  it("draws a live status in place, prints the summary, exits 0 and restores process.env", async () => {
    const before = { ...process.env };
    const c = capture({}, true);
    expect(await main(["demo", "--duration", "2", "--rate", "10", "--sts-latency", "100"], c.io)).toBe(0);
    expect(c.stdout()).toContain("\u001b[4A"); // cursor up over the three status lines and the STS line: redrawn in place
    expect(c.stdout()).toContain("Summary after");
    expect(c.stdout()).toContain("waited on STS (> 50 ms)");
    expect(c.stdout()).toMatch(SGR); // coloured on a TTY
    expect(process.env).toEqual(before);
  }, 30_000);

  it("with NO_COLOR on a TTY: no colour codes (the status line is still redrawn in place)", async () => {
    const c = capture({ NO_COLOR: "1" }, true);
    expect(await main(["demo", "--duration", "1", "--rate", "10", "--sts-latency", "50"], c.io)).toBe(0);
    expect(c.stdout()).toContain("Summary after");
    expect(c.stdout()).not.toMatch(SGR);
  }, 30_000);

  it("stops early on abort and still prints the summary", async () => {
    const abort = new AbortController();
    const c = capture({}, false);
    const run = main(["demo", "--duration", "60"], { ...c.io, signal: abort.signal });
    setTimeout(() => abort.abort(), 1_500);
    expect(await run).toBe(0);
    expect(c.stdout()).toContain("interrupted; stopping");
    expect(c.stdout()).toContain("Summary after");
  }, 30_000);
});

describe("doctor: what a newcomer types", () => {
  it("APP_ENV set to spaces is reported as blank, not as unset", async () => {
    const c = capture({ APP_ENV: "  " });
    expect(await main(["doctor"], c.io)).toBe(1);
    expect(c.stdout()).toMatch(/APP_ENV +blank \(set, but empty or only whitespace\)/);
    expect(c.stdout()).toContain("APP_ENV is set but blank (only whitespace)");
    expect(c.stdout()).not.toContain("not set");
    const report = await collectDoctorReport({ APP_ENV: "  " });
    expect(report.appEnv).toMatchObject({ value: "", from: "APP_ENV", mode: null });
    expect((await collectDoctorReport({})).appEnv).toMatchObject({ value: null, from: null, mode: null });
  });

  it("--deployed-envs '' (or only commas) is refused with exit 2 instead of making production local", async () => {
    for (const value of ["", " , "]) {
      const c = capture({ APP_ENV: "production", AWS_REGION: "eu-west-1" });
      expect(await main(["doctor", "--deployed-envs", value], c.io)).toBe(2);
      expect(c.stderr()).toContain("--deployed-envs needs at least one environment name");
      expect(c.stdout()).toBe("");
    }
  });

  it("advice about an option names the doctor flag too", async () => {
    const insecure = await collectDoctorReport(deployed(), { stsEndpoint: "http://sts.internal.example:4566" });
    expect(insecure.verdict.reason).toContain("allowInsecureEndpoint: true (doctor: --allow-insecure-endpoint)");
    // IMDS on: the fake's (the SDK's provider reads the endpoint from process.env, so set it there too).
    const saved = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = fake.imds.endpoint;
    let k8s: Awaited<ReturnType<typeof collectDoctorReport>>;
    try {
      k8s = await collectDoctorReport({
        HOME: dir,
        APP_ENV: "production",
        AWS_REGION: fake.region,
        KUBERNETES_SERVICE_HOST: "10.0.0.1",
        AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.imds.endpoint,
      });
    } finally {
      if (saved === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
      else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = saved;
    }
    const text = [k8s.verdict.reason, ...k8s.sources.map((s) => s.reason)].join("\n");
    expect(text).toContain("allowInstanceRoleInKubernetes: true (doctor: --allow-instance-role-in-kubernetes)");
    expect(text).toContain("sharedConfig option (doctor: --shared-config)");
  });

  it("a region the SDK does not know is a warning that names it; a known one is not", async () => {
    const unknown = await collectDoctorReport({ APP_ENV: "local", AWS_REGION: "eu-west-99", AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE01", AWS_SECRET_ACCESS_KEY: "x" });
    const warning = unknown.warnings.find((w) => w.code === "unknown-region");
    expect(warning?.message).toContain('AWS_REGION is "eu-west-99", which is not a region in the AWS SDK\'s partition data');
    expect(warning?.message).toContain("https://sts.eu-west-99.amazonaws.com");
    for (const region of ["eu-west-1", "cn-north-1", "us-gov-west-1"]) {
      const known = await collectDoctorReport({ APP_ENV: "local", AWS_REGION: region, AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE01", AWS_SECRET_ACCESS_KEY: "x" });
      expect(known.warnings.map((w) => w.code), region).not.toContain("unknown-region");
    }
  });
});
