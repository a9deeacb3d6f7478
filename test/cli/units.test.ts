/**
 * The CLI's pure parts: argument checks, layout and colour rules, JWT claims, traps, masking, numbers.
 */
import { describe, expect, it } from "vitest";
import { listOption, numberOption, parseCommandArgs } from "../../src/cli/args.js";
import { waitThresholdMs } from "../../src/cli/demo/run.js";
import { maximum, percentile, share } from "../../src/cli/demo/stats.js";
import { decodeJwtClaims } from "../../src/cli/doctor/jwt-claims.js";
import { maskAccessKeyId } from "../../src/cli/doctor/mask.js";
import type { ImdsReport, TokenReport } from "../../src/cli/doctor/report.js";
import { findTraps, type TrapFacts } from "../../src/cli/doctor/traps.js";
import { detectPlatform } from "../../src/sources/platforms.js";
import { formatColumns, outputWidth, wrapText } from "../../src/cli/layout.js";
import { makeStyle, stripAnsi, styleFor, visibleWidth } from "../../src/cli/style.js";
import { formatMs, formatSeconds, relativeTo } from "../../src/cli/time-format.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { makeFakeWebIdentityToken } from "../../src/testing/index.js";

describe("arguments", () => {
  it("parses known options and rejects unknown ones and stray positionals as usage errors of the command", () => {
    expect(parseCommandArgs("doctor", ["--json", "--sts-endpoint", "http://localhost:4566"], { json: { type: "boolean" }, "sts-endpoint": { type: "string" } })).toEqual({
      json: true,
      "sts-endpoint": "http://localhost:4566",
    });
    const unknown = (() => {
      try {
        parseCommandArgs("doctor", ["--jsn"], { json: { type: "boolean" } });
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(UsageError);
    expect((unknown as UsageError).command).toBe("doctor");
    expect((unknown as UsageError).message).toContain("--jsn");
    expect(() => parseCommandArgs("demo", ["now"], {})).toThrow('unexpected argument "now"');
  });

  it("checks numbers against their range and says which option is wrong", () => {
    expect(numberOption("demo", "--duration", undefined, { fallback: 20, min: 1, max: 600 })).toBe(20);
    expect(numberOption("demo", "--duration", " 6 ", { fallback: 20, min: 1, max: 600 })).toBe(6);
    expect(() => numberOption("demo", "--duration", "0", { fallback: 20, min: 1, max: 600, unit: "seconds" })).toThrow(
      '--duration must be a number from 1 to 600 seconds, got "0"',
    );
    expect(() => numberOption("demo", "--rate", "fast", { fallback: 25, min: 1, max: 500 })).toThrow(UsageError);
    expect(() => numberOption("demo", "--rate", "", { fallback: 25, min: 1, max: 500 })).toThrow(UsageError);
  });

  it("splits lists, dropping blanks", () => {
    expect(listOption(" prod , live ,, ")).toEqual(["prod", "live"]);
    expect(listOption(undefined)).toBeUndefined();
  });
});

describe("style and layout", () => {
  const tty = { write: () => true, isTTY: true };
  it("colours only a TTY, and never with NO_COLOR set or TERM=dumb", () => {
    expect(styleFor(tty, {}).enabled).toBe(true);
    expect(styleFor(tty, { NO_COLOR: "" }).enabled).toBe(true); // no-color.org: empty means unset
    expect(styleFor(tty, { NO_COLOR: "1" }).enabled).toBe(false);
    expect(styleFor(tty, { TERM: "dumb" }).enabled).toBe(false);
    expect(styleFor({ write: () => true }, {}).enabled).toBe(false);
    expect(makeStyle(false).red("x")).toBe("x");
    expect(makeStyle(true).red("x")).toBe("\u001b[31mx\u001b[39m");
  });

  it("measures and aligns by visible width, so coloured cells line up", () => {
    const s = makeStyle(true);
    expect(visibleWidth(s.green("✓ ok"))).toBe(4);
    expect(stripAnsi(s.bold(s.red("x")))).toBe("x");
    const table = formatColumns([["a", s.green("1")], ["long label", "22"]], { align: ["left", "right"] });
    expect(stripAnsi(table)).toBe("a            1\nlong label  22");
  });

  it("wraps with a hanging indent and keeps long words whole", () => {
    expect(wrapText("one two three four", { width: 9, indent: "  " })).toBe("one two\n  three\n  four");
    expect(wrapText("https://sts.eu-west-1.amazonaws.com x", { width: 10 })).toBe("https://sts.eu-west-1.amazonaws.com\nx");
    expect(outputWidth(undefined)).toBe(100);
    expect(outputWidth(200)).toBe(120);
    expect(outputWidth(60)).toBe(60);
  });

  it("formats durations", () => {
    expect(formatSeconds(42)).toBe("42 s");
    expect(formatSeconds(3725)).toBe("1 h 2 min");
    expect(formatSeconds(-90)).toBe("1 min");
    expect(formatSeconds(2 * 86_400 + 3 * 3600)).toBe("2 d 3 h");
    expect(relativeTo(new Date(10_000 + 300_000).toISOString(), 10_000)).toBe("in 5 min");
    expect(relativeTo(new Date(0).toISOString(), 3_000)).toBe("3 s ago");
    expect(formatMs(0.25)).toBe("0.3 ms");
    expect(formatMs(312.4)).toBe("312 ms");
    expect(formatMs(1500)).toBe("1.5 s");
  });
});

describe("web identity token claims", () => {
  const now = Date.UTC(2030, 0, 1);
  it("decodes iss, aud, sub, iat and exp without verifying, and returns nothing else", () => {
    const token = makeFakeWebIdentityToken({ sub: "system:serviceaccount:orders:api", aud: "sts.amazonaws.com", secretish: "x" }, now);
    const decoded = decodeJwtClaims(token, now);
    expect(decoded).toEqual({
      ok: true,
      claims: {
        issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/FAKE0123456789",
        audience: ["sts.amazonaws.com"],
        subject: "system:serviceaccount:orders:api",
        issuedAt: "2030-01-01T00:00:00.000Z",
        expiresAt: "2030-01-01T01:00:00.000Z",
        expired: false,
      },
    });
    expect(JSON.stringify(decoded)).not.toContain(token.split(".")[2]);
  });

  it("tells an expired token, and what is not a JWT", () => {
    const expired = makeFakeWebIdentityToken({ exp: now / 1000 - 1 }, now);
    expect(decodeJwtClaims(expired, now)).toMatchObject({ ok: true, claims: { expired: true } });
    expect(decodeJwtClaims("not-a-jwt", now)).toEqual({ ok: false, problem: expect.stringContaining("does not hold a JWT") });
    expect(decodeJwtClaims("a.!!!.c", now)).toMatchObject({ ok: false });
    expect(decodeJwtClaims(`a.${Buffer.from("{oops").toString("base64url")}.c`, now)).toEqual({ ok: false, problem: "the token's payload is not JSON" });
    expect(decodeJwtClaims(`a.${Buffer.from("[1]").toString("base64url")}.c`, now)).toEqual({ ok: false, problem: "the token's payload is not a JSON object" });
  });
});

describe("traps", () => {
  const facts = (overrides: Partial<TrapFacts> = {}): TrapFacts => ({
    mode: "deployed",
    env: {},
    kubernetes: false,
    sharedFiles: { credentialsFile: undefined, configFile: undefined },
    sharedConfigWanted: false,
    imds: null,
    allowInstanceRoleInKubernetes: false,
    token: null,
    stsEndpointOption: undefined,
    webIdentityConfigured: false,
    containerConfigured: false,
    deployedEnvs: ["production", "staging", "integration"],
    appEnv: "production",
    appEnvFrom: "APP_ENV",
    ...overrides,
    platform: overrides.platform ?? detectPlatform(overrides.env ?? {}, overrides.mode ?? "deployed"),
  });
  const codes = (f: TrapFacts): string[] => findTraps(f).map((w) => w.code);
  const imds: ImdsReport = { endpoint: "http://169.254.169.254", reachable: true, roleName: "node-role", problem: null, durationMs: 3 };
  const token = (claims: Partial<NonNullable<TokenReport["claims"]>>, ageSeconds = 60): TokenReport => ({
    path: "/t",
    from: "AWS_WEB_IDENTITY_TOKEN_FILE",
    readable: true,
    problem: null,
    modifiedAt: "2030-01-01T00:00:00.000Z",
    ageSeconds,
    claims: { issuer: "i", audience: ["sts.amazonaws.com"], subject: "s", issuedAt: null, expiresAt: null, expired: false, ...claims },
  });

  it("a clean deployed environment has none", () => {
    expect(codes(facts())).toEqual([]);
  });

  it("shared files in a deployed environment, unless they were asked for", () => {
    const found = { credentialsFile: "/root/.aws/credentials", configFile: "/root/.aws/config" };
    expect(codes(facts({ sharedFiles: found }))).toEqual(["shared-credentials-file", "shared-config-file"]);
    expect(codes(facts({ sharedFiles: found, sharedConfigWanted: true }))).toEqual([]);
    expect(findTraps(facts({ sharedFiles: found }))[0]?.message).toContain("/root/.aws/credentials exists in a deployed environment");
  });

  it("local mode never reports shared files (they are not looked at), but says when it looks deployed", () => {
    expect(codes(facts({ mode: "local", appEnv: "dev", sharedFiles: undefined }))).toEqual([]);
    const env = { KUBERNETES_SERVICE_HOST: "10.100.0.1", AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/a", AWS_WEB_IDENTITY_TOKEN_FILE: "/t" };
    const local = findTraps(facts({ mode: "local", appEnv: "dev", env, sharedFiles: undefined, kubernetes: true, webIdentityConfigured: true }));
    expect(local.map((w) => w.code)).toEqual(["local-mode-in-deployed-environment"]);
    expect(local[0]?.message).toContain('APP_ENV="dev" means local mode, but this looks like Amazon EKS with IRSA');
    expect(local[0]?.message).toContain("KUBERNETES_SERVICE_HOST, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE are set");
  });

  it("local mode with only AWS_ROLE_ARN: names that one variable, and never advises adding a laptop's name to deployedEnvs", () => {
    const env = { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/a" };
    const [warning, ...rest] = findTraps(facts({ mode: "local", appEnv: "local", env, sharedFiles: undefined, webIdentityConfigured: true }));
    expect(rest).toEqual([]);
    expect(warning?.code).toBe("local-mode-in-deployed-environment");
    expect(warning?.message).toContain("AWS_ROLE_ARN is set.");
    expect(warning?.message).not.toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(warning?.message).not.toContain("deployedEnvs");
    // A name that is not a laptop's may be a deployed environment under another name: then the advice stands.
    const live = findTraps(facts({ mode: "local", appEnv: "live", env, sharedFiles: undefined, webIdentityConfigured: true }));
    expect(live[0]?.message).toContain('if "live" is the name of a deployed environment, add it to deployedEnvs');
  });

  it("APP_ENV=prod, Prod, prd, productoin, production-eu: did you mean production? (and nothing for local names)", () => {
    for (const appEnv of ["prod", "Prod", "prd", "productoin", "production-eu", "prod-eu", "stg_2", "stage", "Staging2"]) {
      const [warning] = findTraps(facts({ mode: "local", appEnv, sharedFiles: undefined }));
      expect(warning?.code, appEnv).toBe("app-env-near-miss");
      expect(warning?.message, appEnv).toMatch(/did you mean (production|staging)\?/);
    }
    // With custom deployed names, "Production" is the near miss of "prod".
    const custom = findTraps(facts({ mode: "local", appEnv: "Production", deployedEnvs: ["prod"], sharedFiles: undefined }));
    expect(custom[0]?.message).toContain('APP_ENV="Production" is not a deployed environment name (prod), so this is local mode: did you mean prod?');
    for (const appEnv of ["local", "dev", "development", "test", "ci", "qa", "demo"]) {
      expect(codes(facts({ mode: "local", appEnv, sharedFiles: undefined })), appEnv).toEqual([]);
    }
  });

  it("AWS_STS_REGIONAL_ENDPOINTS=legacy in either mode", () => {
    expect(codes(facts({ env: { AWS_STS_REGIONAL_ENDPOINTS: "Legacy" } }))).toEqual(["sts-regional-endpoints-legacy"]);
    expect(codes(facts({ mode: "local", env: { AWS_STS_REGIONAL_ENDPOINTS: "legacy" }, sharedFiles: undefined }))).toEqual(["sts-regional-endpoints-legacy"]);
    expect(codes(facts({ env: { AWS_STS_REGIONAL_ENDPOINTS: "regional" } }))).toEqual([]);
  });

  it("the node's role reachable from a pod, unless deliberately allowed or not in Kubernetes", () => {
    expect(codes(facts({ kubernetes: true, imds }))).toEqual(["node-role-reachable"]);
    expect(codes(facts({ kubernetes: true, imds, allowInstanceRoleInKubernetes: true }))).toEqual([]);
    expect(codes(facts({ kubernetes: false, imds }))).toEqual([]);
    expect(codes(facts({ kubernetes: true, imds: { ...imds, roleName: null, reachable: false } }))).toEqual([]);
  });

  it("plain http endpoints to other hosts; loopback and the AWS link-local agents are fine", () => {
    const env = {
      AWS_ENDPOINT_URL_SQS: "http://sqs.internal:9324",
      AWS_ENDPOINT_URL: "http://localhost:4566",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://10.0.0.5",
    };
    const warnings = findTraps(facts({ env, stsEndpointOption: "http://sts.vpce.internal" }));
    expect(warnings.map((w) => w.message.split(" ")[0])).toEqual(["AWS_ENDPOINT_URL_SQS", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "--sts-endpoint"]);
    expect(new Set(warnings.map((w) => w.code))).toEqual(new Set(["insecure-endpoint"]));
  });

  it("environment keys in a deployed environment, and an ignored AWS_ENDPOINT_URL_STS", () => {
    expect(codes(facts({ env: { AWS_ACCESS_KEY_ID: "AKIA" } }))).toEqual(["env-keys-in-deployed"]);
    // On Lambda they are the execution role's keys: the workload identity, nothing to remove.
    expect(codes(facts({ env: { AWS_ACCESS_KEY_ID: "ASIA", AWS_LAMBDA_FUNCTION_NAME: "orders", LAMBDA_TASK_ROOT: "/var/task" } }))).toEqual([]);
    expect(codes(facts({ env: { AWS_ENDPOINT_URL_STS: "https://sts.vpce" }, webIdentityConfigured: true }))).toEqual(["sts-endpoint-variable-ignored"]);
    expect(codes(facts({ env: { AWS_ENDPOINT_URL_STS: "https://sts.vpce" }, webIdentityConfigured: true, stsEndpointOption: "https://sts.vpce" }))).toEqual([]);
  });

  it("a token for another audience, and a token file the kubelet stopped rewriting", () => {
    expect(codes(facts({ token: token({ audience: ["vault"] }) }))).toEqual(["token-audience"]);
    expect(codes(facts({ token: token({}, 2 * 86_400) }))).toEqual(["token-file-stale"]);
    expect(codes(facts({ token: token({ audience: ["sts.amazonaws.com.cn"] }) }))).toEqual([]);
  });
});

describe("numbers", () => {
  it("percentiles by nearest rank, shares and maxima", () => {
    expect(percentile([], 99)).toBe(0);
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([1, 2, 3, 4, 300], 99)).toBe(300);
    expect(maximum([2, 9, 4])).toBe(9);
    expect(share(1, 8)).toBe("12.5%");
    expect(share(0, 0)).toBe("0%");
  });

  it("masks access key ids, and calls a request 'waited' above half the STS latency, at most 50 ms", () => {
    expect(maskAccessKeyId("ASIA1234567890ABCDEF")).toBe("ASIA…CDEF");
    expect(maskAccessKeyId("test")).toBe("…");
    expect(waitThresholdMs(300)).toBe(50);
    expect(waitThresholdMs(40)).toBe(20);
    expect(waitThresholdMs(0)).toBe(5);
  });
});
