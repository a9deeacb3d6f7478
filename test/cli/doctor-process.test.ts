/**
 * `awscreds doctor`, built, run as a subprocess under the environments that matter: local with and
 * without keys, deployed with IRSA against the fake STS, in Kubernetes without web identity. Checks exit
 * codes, what is said, that no secret is printed, that local mode never touches ~/.aws, and that piped
 * output has no colour codes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { ANSI, buildCli, runCli, SECRET_SHAPE, tempHome, type BuiltCli } from "./support/cli.js";

let cli: BuiltCli;
let fake: FakeAws;
let home: ReturnType<typeof tempHome>;
let tokenFile: string;
let token: string;
const ROLE = "arn:aws:iam::123456789012:role/orders-api";

beforeAll(async () => {
  [cli, fake] = await Promise.all([buildCli(), startFakeAws({ sts: { credentialLifetimeSeconds: 900 } })]);
  home = tempHome();
  // A poisoned ~/.aws: local mode must never open it; deployed mode warns about it (by stat only).
  mkdirSync(join(home.home, ".aws"));
  writeFileSync(join(home.home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIAPOISONPOISON0000\naws_secret_access_key = poisoned-secret\n");
  writeFileSync(join(home.home, ".aws", "config"), "[default]\nregion = eu-west-1\n");
  tokenFile = await fake.writeWebIdentityToken({ claims: { sub: "system:serviceaccount:orders:orders-api" } });
  token = (await readFile(tokenFile, "utf8")).trim();
}, 60_000);

afterAll(async () => {
  cli?.cleanup();
  home?.cleanup();
  await fake?.close();
});

/** Variables that keep every run on loopback: IMDS is the fake (probes and fallbacks land there). */
const base = (): Record<string, string> => ({ HOME: home.home, AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.imds.endpoint });
const irsa = (): Record<string, string> => ({
  ...base(),
  APP_ENV: "production",
  AWS_REGION: fake.region,
  AWS_ROLE_ARN: ROLE,
  AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
  KUBERNETES_SERVICE_HOST: "10.100.0.1",
});

function expectNoSecret(output: string, secrets: readonly string[] = []): void {
  expect(output).not.toContain(token);
  expect(output).not.toContain("FakeSessionToken");
  expect(output).not.toContain("poisoned-secret");
  expect(output).not.toMatch(SECRET_SHAPE);
  for (const secret of secrets) expect(output).not.toContain(secret);
}

describe("local mode", () => {
  it("with keys: exit 0, names the source, prints no secret, never touches ~/.aws, contacts nothing", async () => {
    const imdsCalls = fake.imds.count();
    const r = await runCli(
      cli.path,
      ["doctor"],
      { ...base(), APP_ENV: "local", AWS_ACCESS_KEY_ID: "AKIALOCALDEV00000001", AWS_SECRET_ACCESS_KEY: "local-secret-value-1234", AWS_SESSION_TOKEN: "local-session-token-5678", AWS_PROFILE: "production" },
      { watchPrefix: join(home.home, ".aws") },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("local mode");
    expect(r.stdout).toContain("✓ Credentials would resolve");
    expect(r.stdout).toContain("AWS_PROFILE is set but ignored in local mode");
    expect(r.stdout).toContain("AKIA…0001");
    expectNoSecret(r.all, ["local-secret-value-1234", "local-session-token-5678", "AKIALOCALDEV00000001"]);
    expect(r.accesses).toEqual([]);
    expect(fake.imds.count()).toBe(imdsCalls);
    expect(r.all).not.toMatch(ANSI);
  });

  it("without keys: exit 1 with what to set, and never the poisoned profile", async () => {
    const r = await runCli(cli.path, ["doctor"], { ...base(), APP_ENV: "dev", AWS_PROFILE: "default" }, { watchPrefix: join(home.home, ".aws") });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ Credentials would not resolve");
    expect(r.stdout).toMatch(/AWS_ACCESS_KEY_ID and\s+AWS_SECRET_ACCESS_KEY are not set/);
    expect(r.stdout).toContain("never used");
    expect(r.all).not.toContain("AKIAPOISON");
    expect(r.accesses).toEqual([]);
  });

  it("--whoami signs GetCallerIdentity with the env keys at --sts-endpoint, still without touching ~/.aws", async () => {
    const keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/dev" });
    const r = await runCli(
      cli.path,
      ["doctor", "--whoami", "--sts-endpoint", fake.sts.endpoint],
      { ...base(), APP_ENV: "local", AWS_REGION: fake.region, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey },
      { watchPrefix: join(home.home, ".aws") },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("arn:aws:iam::123456789012:user/dev");
    expect(r.stdout).toContain("✓ Credentials resolve");
    expectNoSecret(r.all, [keys.secretAccessKey]);
    expect(r.accesses).toEqual([]);
  });
});

describe("--assume-role: the AssumeRole a role cache would make", () => {
  const TENANT_ROLE = "arn:aws:iam::210987654321:role/saas-access";
  const local = (keys: { accessKeyId: string; secretAccessKey: string }) => ({
    ...base(),
    APP_ENV: "local",
    AWS_REGION: fake.region,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  });

  it("with the tenant's ExternalId: ✓, exit 0", async () => {
    fake.sts.registerRole({ roleArn: TENANT_ROLE, externalId: "acme-7f3k9q", trustedPrincipals: ["123456789012"] });
    const keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/billing-api" });
    const args = ["doctor", "--assume-role", TENANT_ROLE, "--external-id", "acme-7f3k9q", "--sts-endpoint", fake.sts.endpoint];
    const r = await runCli(cli.path, args, local(keys), { watchPrefix: join(home.home, ".aws") });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/assume role\s+✓ arn:aws:iam::210987654321:role\/saas-access with ExternalId acme-7f3k9q · via\s+http/);
    expect(fake.sts.calls.at(-1)?.details).toMatchObject({ roleArn: TENANT_ROLE, externalId: "acme-7f3k9q", roleSessionName: "awscreds-doctor" });
    expectNoSecret(r.all, [keys.secretAccessKey]);
    expect(r.accesses).toEqual([]);
  });

  it("with a wrong ExternalId: exit 1 with the explanation, in text and JSON", async () => {
    fake.sts.registerRole({ roleArn: TENANT_ROLE, externalId: "acme-7f3k9q", trustedPrincipals: ["123456789012"] });
    const keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/billing-api" });
    const args = ["--assume-role", TENANT_ROLE, "--external-id", "acme-typo", "--sts-endpoint", fake.sts.endpoint];
    const [text, json] = await Promise.all([runCli(cli.path, ["doctor", ...args], local(keys)), runCli(cli.path, ["doctor", "--json", ...args], local(keys))]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("✗ AssumeRole for arn:aws:iam::210987654321:role/saas-access");
    expect(text.stdout).toMatch(/sts:ExternalId\s+condition\s+equals\s+"acme-typo"/);
    const report = JSON.parse(json.stdout) as { verdict: { ok: boolean; reason: string }; assumeRole: Record<string, unknown> };
    expect(json.code).toBe(1);
    expect(report.verdict.ok).toBe(false);
    expect(report.verdict.reason).toContain("But AssumeRole of arn:aws:iam::210987654321:role/saas-access failed");
    expect(report.assumeRole).toMatchObject({ ok: false, roleArn: TENANT_ROLE, externalId: "acme-typo", roleChaining: false, error: expect.stringContaining("AccessDenied") });
    expectNoSecret(text.all + json.all, [keys.secretAccessKey]);
  });

  it("--external-id without --assume-role is a usage error; a bad ExternalId names STS's limit", async () => {
    const keys = fake.registerStaticKeys();
    const [usage, bad] = await Promise.all([
      runCli(cli.path, ["doctor", "--external-id", "x"], local(keys)),
      runCli(cli.path, ["doctor", "--assume-role", TENANT_ROLE, "--external-id", "x", "--sts-endpoint", fake.sts.endpoint], local(keys)),
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--external-id goes with --assume-role");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/externalId must be 2 to 1224 characters long \(STS's\s+limit\)/);
  });
});

describe("deployed with IRSA against the fake STS", () => {
  it("doctor predicts from configuration: token claims decoded, no STS call, traps reported, exit 0", async () => {
    const stsCalls = fake.sts.count();
    const r = await runCli(cli.path, ["doctor", "--sts-endpoint", fake.sts.endpoint], { ...irsa(), AWS_STS_REGIONAL_ENDPOINTS: "legacy" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("deployed mode");
    expect(r.stdout).toContain("→ web-identity");
    expect(r.stdout).toContain("system:serviceaccount:orders:orders-api");
    expect(r.stdout).toContain("sts.amazonaws.com");
    expect(r.stdout).toContain("(predicted)");
    // Deployed: a credentials file in the image is a trap (found by stat only); legacy STS setting; node role.
    expect(r.stdout).toContain("shared-credentials-file");
    expect(r.stdout).toContain("sts-regional-endpoints-legacy");
    expect(r.stdout).toContain("node-role-reachable");
    expect(fake.sts.count()).toBe(stsCalls);
    expectNoSecret(r.all);
  });

  it("--resolve fetches through the chain: source, expiration, timing", async () => {
    const before = fake.sts.count("AssumeRoleWithWebIdentity");
    const r = await runCli(cli.path, ["doctor", "--resolve", "--sts-endpoint", fake.sts.endpoint], irsa());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/resolve\s+✓ web-identity in \d+ ms · expires \S+ \(in 1[45] min\)/);
    expect(r.stdout).toContain("✓ Credentials resolve");
    expect(fake.sts.count("AssumeRoleWithWebIdentity")).toBe(before + 1);
    expect(fake.sts.calls.at(-1)?.details.roleArn).toBe(ROLE);
    expectNoSecret(r.all);
  });

  it("shows regional failover (AWSCREDS_STS_FAILOVER_REGIONS): the regions' endpoints, and with --resolve the endpoint in use and each breaker", async () => {
    const env = { ...irsa(), AWSCREDS_STS_FAILOVER_REGIONS: "eu-central-1,us-west-2" };
    const r = await runCli(cli.path, ["doctor", "--resolve", "--sts-endpoint", fake.sts.endpoint], env);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, " ");
    expect(text).toMatch(/failover https:\/\/sts\.eu-central-1\.amazonaws\.com, then https:\/\/sts\.us-west-2\.amazonaws\.com \(AWSCREDS_STS_FAILOVER_REGIONS; on 5xx/);
    expect(text).toContain(`in use ${fake.sts.endpoint}/`);
    expect(text).toContain("breakers us-east-1 (primary) closed; eu-central-1 closed; us-west-2 closed");
    const json = await runCli(cli.path, ["doctor", "--json"], env);
    const report = JSON.parse(json.stdout) as { stsEndpoint: { failover: unknown } };
    expect(report.stsEndpoint.failover).toEqual({
      from: "AWSCREDS_STS_FAILOVER_REGIONS",
      endpoints: [
        { region: "eu-central-1", url: "https://sts.eu-central-1.amazonaws.com" },
        { region: "us-west-2", url: "https://sts.us-west-2.amazonaws.com" },
      ],
    });
  });

  it("a failover region of another partition: exit 1, saying why", async () => {
    const r = await runCli(cli.path, ["doctor"], { ...irsa(), AWSCREDS_STS_FAILOVER_REGIONS: "cn-north-1" });
    expect(r.code).toBe(1);
    expect(r.stdout.replace(/\s+/g, " ")).toContain("AWSCREDS_STS_FAILOVER_REGIONS lists cn-north-1, which is in partition aws-cn, but the primary region us-east-1 is in aws");
  });

  it("--whoami calls GetCallerIdentity at the endpoint the chain uses", async () => {
    const r = await runCli(cli.path, ["doctor", "--whoami", "--sts-endpoint", fake.sts.endpoint], irsa());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("arn:aws:sts::123456789012:assumed-role/orders-api/");
    expect(fake.sts.calls.at(-1)?.action).toBe("GetCallerIdentity");
    expectNoSecret(r.all);
  });

  it("--json: the documented shape, stable keys, no secrets", async () => {
    const r = await runCli(cli.path, ["doctor", "--json", "--whoami", "--sts-endpoint", fake.sts.endpoint], irsa());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown> & {
      verdict: Record<string, unknown>;
      sources: { source: string; state: string }[];
      webIdentityToken: { claims: Record<string, unknown> };
      resolve: Record<string, unknown>;
      whoami: Record<string, unknown>;
      warnings: { code: string }[];
    };
    expect(Object.keys(report)).toEqual([
      "schemaVersion", "awscredsVersion", "generatedAt", "verdict", "appEnv", "platform", "sources",
      "stsEndpoint", "webIdentityToken", "imds", "warnings", "notes", "resolve", "whoami", "clock", "assumeRole",
    ]);
    expect(report.schemaVersion).toBe(1);
    expect(report.verdict).toEqual({ ok: true, basis: "verified", source: "web-identity", reason: expect.stringContaining("assumed-role/orders-api") });
    expect(report.appEnv).toEqual({ value: "production", from: "APP_ENV", mode: "deployed", deployedEnvs: ["production", "staging", "integration"] });
    expect(report.platform).toEqual({
      id: "eks-irsa",
      name: "Amazon EKS with IRSA",
      evidence: ["KUBERNETES_SERVICE_HOST", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"],
      identity: "web-identity",
      kubernetes: true,
      containerCredentials: false,
      region: "us-east-1",
      regionFrom: "AWS_REGION",
    });
    expect(report.clock).toMatchObject({ offsetMs: expect.any(Number), uncertaintyMs: expect.any(Number), skewed: false });
    expect(report.sources.map((s) => `${s.source}:${s.state}`)).toEqual([
      "web-identity:chosen", "container:skipped", "shared-config:skipped", "instance-metadata:skipped",
    ]);
    expect(report.stsEndpoint).toEqual({
      url: `${fake.sts.endpoint}/`,
      kind: "custom",
      reason: expect.any(String),
      problem: null,
      failover: null,
      inUse: { url: `${fake.sts.endpoint}/`, breakers: "us-east-1 (primary) closed" },
    });
    expect(report.webIdentityToken.claims).toMatchObject({ audience: ["sts.amazonaws.com"], subject: "system:serviceaccount:orders:orders-api", expired: false });
    expect(report.resolve).toMatchObject({ ok: true, source: "web-identity", accessKeyId: expect.stringMatching(/^ASIA….{4}$/), accountId: "123456789012", error: null });
    expect(report.whoami).toMatchObject({ ok: true, account: "123456789012", arn: expect.stringContaining("assumed-role/orders-api"), error: null });
    expect(report.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(["shared-credentials-file", "node-role-reachable"]));
    expectNoSecret(r.all);
    expect(r.all).not.toMatch(ANSI);
  });

  it("STS rejecting the token: --resolve exits 1 with STS's reason and the advice", async () => {
    fake.sts.faults.failNext(2, { status: 400, code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity" }, { action: "AssumeRoleWithWebIdentity" });
    const r = await runCli(cli.path, ["doctor", "--resolve", "--sts-endpoint", fake.sts.endpoint], irsa());
    fake.sts.faults.restore();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ Credentials do not resolve");
    expect(r.stdout).toContain("AccessDenied");
    expect(r.stdout).toContain("trust policy");
    expectNoSecret(r.all);
  });

  it("a missing token file: exit 1 naming the path, before any STS call", async () => {
    const stsCalls = fake.sts.count();
    const r = await runCli(cli.path, ["doctor", "--sts-endpoint", fake.sts.endpoint], { ...irsa(), AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/awscreds/token" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("/nonexistent/awscreds/token does not exist");
    expect(fake.sts.count()).toBe(stsCalls);
  });
});

describe("deployed on ECS (container credentials endpoint)", () => {
  const ecs = (token: string): Record<string, string> => ({
    ...base(),
    APP_ENV: "production",
    AWS_REGION: fake.region,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
  });

  it("predicts and resolves from the container endpoint, never printing its authorization token", async () => {
    const token = fake.container.authorizationToken;
    const [predicted, resolved] = await Promise.all([
      runCli(cli.path, ["doctor"], ecs(token)),
      runCli(cli.path, ["doctor", "--resolve", "--json"], ecs(token)),
    ]);
    expect(predicted.code).toBe(0);
    expect(predicted.stdout).toContain("✓ Credentials would resolve (predicted) — source: container");
    expect(predicted.stdout).toContain("authorization=AWS_CONTAINER_AUTHORIZATION_TOKEN");
    expect(resolved.code).toBe(0);
    const report = JSON.parse(resolved.stdout) as { verdict: { ok: boolean; basis: string; source: string }; resolve: { source: string; accessKeyId: string } };
    expect(report.verdict).toMatchObject({ ok: true, basis: "verified", source: "container" });
    expect(report.resolve).toMatchObject({ source: "container", accessKeyId: expect.stringMatching(/^ASIA….{4}$/) });
    for (const r of [predicted, resolved]) expectNoSecret(r.all, [token]);
  });

  it("a half-configured web identity next to a working container endpoint: exit 1 naming both variables, predicted and resolved, no call made", async () => {
    const containerCalls = fake.container.count();
    const stsCalls = fake.sts.count();
    const env = { ...ecs(fake.container.authorizationToken), AWS_ROLE_ARN: ROLE };
    const [predicted, resolved] = await Promise.all([runCli(cli.path, ["doctor"], env), runCli(cli.path, ["doctor", "--resolve", "--json"], env)]);
    expect(predicted.code).toBe(1);
    expect(predicted.stdout).toContain("✗ Credentials would not resolve");
    // The text wraps at the terminal width: compare it unwrapped.
    const text = predicted.stdout.replace(/\s+/g, " ");
    expect(text).toContain("✗ web-identity failed web identity is half configured: AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE (or the webIdentityTokenFile option) is not set");
    expect(text).toContain("source: web-identity");
    expect(text).not.toContain("source: container");
    expect(resolved.code).toBe(1);
    const report = JSON.parse(resolved.stdout) as { verdict: { ok: boolean }; sources: { source: string; state: string }[] };
    expect(report.verdict.ok).toBe(false);
    expect(report.sources.slice(0, 2).map((s) => `${s.source}:${s.state}`)).toEqual(["web-identity:failed", "container:unused"]);
    expect(fake.container.count()).toBe(containerCalls);
    expect(fake.sts.count()).toBe(stsCalls);
  });

  it("a wrong token: --resolve exits 1 with the endpoint's answer, and the wrong token is not echoed either", async () => {
    const wrong = "wrong-authorization-token-4f9c2e";
    const r = await runCli(cli.path, ["doctor", "--resolve"], ecs(wrong));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ Credentials do not resolve");
    expect(r.stdout).toContain("403");
    expectNoSecret(r.all, [wrong, fake.container.authorizationToken]);
  });
});

describe("in Kubernetes without web identity", () => {
  it("IMDS is off: exit 1 with the reason, and the reachable node role is flagged", async () => {
    const env = { ...base(), APP_ENV: "production", AWS_REGION: fake.region, KUBERNETES_SERVICE_HOST: "10.100.0.1" };
    const r = await runCli(cli.path, ["doctor"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ Credentials would not resolve");
    expect(r.stdout).toMatch(/off in Kubernetes \(KUBERNETES_SERVICE_HOST is set\)/);
    expect(r.stdout).toContain("node-role-reachable");
    expect(r.stdout).toContain('"fake-instance-role"');

    const json = await runCli(cli.path, ["doctor", "--json"], env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { verdict: { ok: boolean; source: unknown; reason: string }; imds: { roleName: string } };
    expect(report.verdict.ok).toBe(false);
    expect(report.verdict.source).toBeNull();
    expect(report.verdict.reason).toContain("No credential source is available");
    expect(report.imds.roleName).toBe("fake-instance-role");
  });

  it("--resolve does not fall back to the node's role", async () => {
    const issued = fake.imds.issuedAccessKeyIds.length;
    const r = await runCli(cli.path, ["doctor", "--resolve"], { ...base(), APP_ENV: "production", AWS_REGION: fake.region, KUBERNETES_SERVICE_HOST: "10.100.0.1" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ Credentials do not resolve");
    expect(fake.imds.issuedAccessKeyIds.length).toBe(issued);
  });
});

describe("command line", () => {
  it("--version, --help and usage errors", async () => {
    const [version, help, doctorHelp, unknown, badOption, noArgs] = await Promise.all([
      runCli(cli.path, ["--version"], base()),
      runCli(cli.path, ["--help"], base()),
      runCli(cli.path, ["doctor", "--help"], base()),
      runCli(cli.path, ["doctr"], base()),
      runCli(cli.path, ["doctor", "--jsn"], base()),
      runCli(cli.path, [], base()),
    ]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("awscreds <command>");
    expect(doctorHelp.code).toBe(0);
    expect(doctorHelp.stdout).toContain("--whoami");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "doctr"');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("--jsn");
    expect(badOption.stderr).toContain("awscreds doctor --help");
    expect(noArgs.code).toBe(2);
    for (const r of [version, help, doctorHelp, unknown, badOption, noArgs]) expect(r.all).not.toMatch(ANSI);
  });

  it("NO_COLOR and a pipe: no ANSI codes in any doctor output", async () => {
    const r = await runCli(cli.path, ["doctor", "--resolve", "--sts-endpoint", fake.sts.endpoint], { ...irsa(), NO_COLOR: "1", TERM: "xterm-256color" });
    expect(r.code).toBe(0);
    expect(r.all).not.toMatch(ANSI);
  });
});
