/**
 * The deployed chain against the fakes, with the real SDK providers: order, stickiness, the Kubernetes
 * rule, opt-in shared files, describe(), and every error message.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { fromEnvGatedChain, type EnvGatedChainOptions, type EnvGatedChainProvider } from "../../src/sources/chain.js";
import { formatDescription } from "../../src/sources/describe.js";
import { sourceKindOf } from "../../src/telemetry/source-kind.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { rejection, resetForChain } from "./support/env.js";
import { watchFs } from "./support/fs-watch.js";
import { watchClientSockets } from "./support/sockets.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/orders";

let fake: FakeAws;
let dir: string;
let tokenFile: string;
let restoreEnv: () => void;

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
  dir = await mkdtemp(join(tmpdir(), "awscreds-chain-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  ({ restoreEnv, tokenFile } = await resetForChain(fake));
});
afterEach(() => restoreEnv());

/** Variables of each deployed source, pointing at the fakes. */
const WEB_IDENTITY = (): Record<string, string> => ({ AWS_ROLE_ARN: ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile });
const CONTAINER = (): Record<string, string> => ({
  AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.container.authorizationToken,
});

function deployed(env: Record<string, string | undefined>, options: Omit<EnvGatedChainOptions, "env"> = {}): EnvGatedChainProvider {
  return fromEnvGatedChain({
    ...options,
    env: { APP_ENV: "Production", AWS_REGION: "eu-west-1", AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.imds.endpoint, ...env },
    webIdentity: { endpoint: fake.sts.endpoint, retry: { baseDelayMs: 5 }, ...options.webIdentity },
    container: { timeoutMs: 50, maxRetries: 1, ...options.container },
  });
}

/** `tryNextLink` of the error the chain wrapped (the source's own). */
const tryNextLinkOfCause = (error: { cause?: unknown }): unknown => (error.cause as { tryNextLink?: unknown } | undefined)?.tryNextLink;

const states = (provider: EnvGatedChainProvider): string[][] => provider.describe().sources.map((s) => [s.source, s.state]);

describe("deployed chain: order", () => {
  it("prefers the web identity token over the container endpoint and the instance role", async () => {
    const credentials = deployed({ ...WEB_IDENTITY(), ...CONTAINER() });
    expect(credentials.mode).toBe("deployed");
    expect(states(credentials)).toEqual([
      ["web-identity", "candidate"],
      ["container", "unused"],
      ["shared-config", "skipped"],
      ["instance-metadata", "unused"],
    ]);
    const result = await credentials();
    expect(result.accessKeyId).toBe(fake.sts.issued.at(-1)!.accessKeyId);
    expect(result.accountId).toBe("123456789012");
    expect(fake.container.count()).toBe(0);
    expect(fake.imds.count()).toBe(0);
    const description = credentials.describe();
    expect(description.chosen).toBe("web-identity");
    expect(description.sources[0]!.details).toMatchObject({ roleArn: ROLE_ARN, tokenFile, region: "eu-west-1", endpoint: `${fake.sts.endpoint}/` });
    expect(states(credentials)[0]).toEqual(["web-identity", "chosen"]);
  });

  it("uses the container endpoint (ECS, EKS Pod Identity) when there is no web identity", async () => {
    const credentials = deployed(CONTAINER());
    const result = await credentials();
    expect(fake.container.issuedAccessKeyIds).toContain(result.accessKeyId);
    expect(fake.imds.count()).toBe(0);
    expect(fake.sts.count()).toBe(0);
    const [webIdentity, container] = credentials.describe().sources;
    expect(webIdentity).toMatchObject({ state: "skipped", reason: expect.stringContaining("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set") });
    expect(container).toMatchObject({ state: "chosen", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is set" });
    expect(container!.details).toMatchObject({ endpoint: fake.container.credentialsUrl, authorization: "AWS_CONTAINER_AUTHORIZATION_TOKEN" });
  });

  it("reads the container authorization token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE on each call", async () => {
    const file = join(dir, "pod-identity-token");
    await writeFile(file, fake.container.authorizationToken);
    const credentials = deployed({ AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file });
    await credentials();
    fake.container.setAuthorizationToken("rotated-token");
    await writeFile(file, "rotated-token");
    await credentials();
    expect(fake.container.calls.map((c) => c.status)).toEqual([200, 200]);
  });

  it("falls back to the instance role over IMDSv2 outside Kubernetes", async () => {
    const credentials = deployed({});
    const result = await credentials();
    expect(fake.imds.issuedAccessKeyIds).toContain(result.accessKeyId);
    expect(fake.imds.calls[0]!.action).toBe("PUT /latest/api/token");
    expect(credentials.describe().chosen).toBe("instance-metadata");
  });
});

describe("deployed chain: Kubernetes", () => {
  it("never uses the node's instance role in a pod unless allowed, and says why", async () => {
    const credentials = deployed({ KUBERNETES_SERVICE_HOST: "10.100.0.1" });
    const error = await rejection(() => credentials());
    expect(fake.imds.count()).toBe(0);
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain('No credential source is available (deployed mode, APP_ENV="Production")');
    expect(error.message).toContain("instance-metadata: off in Kubernetes (KUBERNETES_SERVICE_HOST is set)");
    expect(error.message).toContain("the instance role is the node's role, shared by every pod");
    expect(error.message).toContain("IRSA (service account annotation eks.amazonaws.com/role-arn) or EKS Pod Identity");
    expect(error.message).toContain("allowInstanceRoleInKubernetes: true");
    // The Kubernetes reason says what to configure; the generic EC2/ECS hint would point elsewhere.
    expect(error.message).not.toContain("Configure workload identity for this service");
    // Nor the detected platform's setup line, which would repeat it.
    expect(error.message).not.toContain("set up its workload identity");
    expect(credentials.describe().sources[3]).toMatchObject({ source: "instance-metadata", state: "skipped", reason: expect.stringContaining("off in Kubernetes") });
  });

  it("uses the node's role with allowInstanceRoleInKubernetes: true", async () => {
    const credentials = deployed({ KUBERNETES_SERVICE_HOST: "10.100.0.1" }, { allowInstanceRoleInKubernetes: true });
    const result = await credentials();
    expect(fake.imds.issuedAccessKeyIds).toContain(result.accessKeyId);
    expect(credentials.describe().sources[3]!.reason).toContain("allowed in Kubernetes by allowInstanceRoleInKubernetes: true");
  });

  it("still prefers IRSA in a pod", async () => {
    const credentials = deployed({ KUBERNETES_SERVICE_HOST: "10.100.0.1", ...WEB_IDENTITY() });
    await credentials();
    expect(credentials.describe().chosen).toBe("web-identity");
  });
});

describe("deployed chain: stickiness and failures", () => {
  it("bounds a container endpoint that accepts the connection and never answers: each attempt aborted, no socket left open, nothing on console", async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: unknown) => warnings.push(String(m)), error: () => undefined };
    const consoleWarn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const sockets = watchClientSockets(Number(new URL(fake.container.credentialsUrl).port));
    try {
      const credentials = deployed(CONTAINER(), { container: { timeoutMs: 100, maxRetries: 1 }, logger });
      fake.container.faults.hangNext(2);
      const started = Date.now();
      const error = await rejection(() => credentials());
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error.message).toContain(`The container credentials endpoint ${fake.container.credentialsUrl}`);
      expect(error.message).toContain("no answer within 100 ms (the request was aborted)");
      expect(error.tryNextLink).toBe(false);
      expect(fake.container.calls.slice(-2).map((c) => c.fault)).toEqual(["hang", "hang"]);
      // Both attempts' sockets are closed by the time the call fails: nothing waits on the hung endpoint.
      expect(sockets.sockets).toHaveLength(2);
      expect(sockets.sockets.every((socket) => socket.destroyed)).toBe(true);
      expect(consoleWarn).not.toHaveBeenCalled();

      fake.container.faults.restore();
      const recovered = await credentials();
      expect(fake.container.issuedAccessKeyIds).toContain(recovered.accessKeyId);
      // At least one more socket (a loaded box may see the 100 ms timeout abort the first try and retry), and
      // every one of them closed again: nothing is left open on the endpoint.
      expect(sockets.sockets.length).toBeGreaterThanOrEqual(3);
      expect(sockets.sockets.every((socket) => socket.destroyed)).toBe(true);
    } finally {
      sockets.stop();
      consoleWarn.mockRestore();
    }
  });

  it("sticks to the first source that worked: later failures are its errors, never another identity, even when the environment changes", async () => {
    // Driven through the live process.env the chain reads (no env option): an earlier source appearing
    // later (a container endpoint injected into the environment) must not take over.
    process.env.APP_ENV = "production";
    process.env.AWS_REGION = "eu-west-1";
    delete process.env.AWS_EC2_METADATA_DISABLED;
    const credentials = fromEnvGatedChain({ container: { timeoutMs: 50, maxRetries: 1 }, instanceMetadata: { timeoutMs: 500, maxRetries: 0 } });
    const first = await credentials();
    expect(credentials.describe().chosen).toBe("instance-metadata");
    expect(fake.imds.issuedAccessKeyIds).toContain(first.accessKeyId);

    Object.assign(process.env, CONTAINER());
    expect(credentials.describe().sources[1]).toMatchObject({ source: "container", state: "unused" });
    const again = await credentials();
    expect(fake.imds.issuedAccessKeyIds).toContain(again.accessKeyId);
    expect(fake.container.count()).toBe(0);

    fake.imds.faults.failNext(10, { status: 500, code: "InternalError", message: "metadata service down" });
    const error = await rejection(() => credentials());
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain("does not fall back to another identity");
    expect(fake.container.count()).toBe(0);
    expect(credentials.describe()).toMatchObject({ chosen: "instance-metadata" });
    expect(credentials.describe().sources[3]).toMatchObject({ source: "instance-metadata", state: "failed" });
  });

  it("a failing chosen container endpoint stays the source: its errors, never the instance role", async () => {
    const credentials = deployed(CONTAINER());
    const first = await credentials();
    expect(fake.container.issuedAccessKeyIds).toContain(first.accessKeyId);

    fake.container.faults.failNext(10, { status: 500, code: "InternalError", message: "agent down" });
    const error = await rejection(() => credentials());
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain(`The container credentials endpoint ${fake.container.credentialsUrl} (AWS_CONTAINER_CREDENTIALS_FULL_URI) gave no credentials`);
    expect(error.message).toContain("task role (taskRoleArn)");
    expect(error.message).toContain("does not fall back to another identity");
    // Only the instance role (the last resort) lists the other sources; here they are beside the point.
    expect(error.message).not.toContain("Other sources");
    expect(fake.imds.count()).toBe(0);
    expect(credentials.describe().sources[1]).toMatchObject({ source: "container", state: "failed" });
  });

  it.each([
    ["role ARN without token file", { AWS_ROLE_ARN: ROLE_ARN }, "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE (or the webIdentityTokenFile option) is not set"],
    ["role ARN with an empty token file", { AWS_ROLE_ARN: ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: "" }, "AWS_WEB_IDENTITY_TOKEN_FILE (or the webIdentityTokenFile option) is empty"],
    ["token file without role ARN", { AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" }, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN (or the roleArn option) is not set"],
    ["token file with an empty role ARN", { AWS_ROLE_ARN: " ", AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" }, "AWS_ROLE_ARN (or the roleArn option) is empty"],
  ])("a half-configured web identity (%s) is an error naming both variables, never a fall-through to the container or instance role", async (_name, vars, says) => {
    const errors: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: unknown) => errors.push(String(m)) };
    const credentials = deployed({ ...vars, ...CONTAINER() }, { logger });
    // Said at construction already, and describe() reports it as the failed source the chain stops at.
    expect(errors.join("\n")).toContain(says);
    expect(credentials.describe().chosen).toBeUndefined();
    expect(states(credentials).slice(0, 2)).toEqual([
      ["web-identity", "failed"],
      ["container", "unused"],
    ]);
    expect(formatDescription(credentials.describe())).toContain(says);
    const error = await rejection(() => credentials());
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain(says);
    expect(error.message).toContain("needs both AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, or neither");
    expect(error.message).toContain("does not fall back to another identity");
    expect(fake.container.count()).toBe(0);
    expect(fake.imds.count()).toBe(0);
    expect(fake.sts.count()).toBe(0);
  });

  it("both web identity variables blank counts as not set: skipped, the container endpoint is used", async () => {
    const credentials = deployed({ AWS_ROLE_ARN: "", AWS_WEB_IDENTITY_TOKEN_FILE: " ", ...CONTAINER() });
    expect(states(credentials).slice(0, 2)).toEqual([
      ["web-identity", "skipped"],
      ["container", "candidate"],
    ]);
    const result = await credentials();
    expect(fake.container.issuedAccessKeyIds).toContain(result.accessKeyId);
  });

  it("a configured source that fails stops the chain (no silent switch to the container role)", async () => {
    const credentials = deployed({ ...WEB_IDENTITY(), AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "no-such-token"), ...CONTAINER() });
    const error = await rejection(() => credentials());
    expect(error.message).toContain(`The web identity token file ${join(dir, "no-such-token")} does not exist`);
    expect(error.message).toContain("web identity token (IRSA) is the configured source");
    expect(fake.container.count()).toBe(0);
    expect(fake.imds.count()).toBe(0);
    expect(credentials.describe().sources[0]).toMatchObject({ state: "failed", reason: expect.stringContaining("does not exist") });
  });

  it("a configured web identity without a region fails with what to set", async () => {
    const credentials = deployed({ ...WEB_IDENTITY(), AWS_REGION: undefined });
    const error = await rejection(() => credentials());
    expect(error.message).toContain("no region is configured for STS. Set AWS_REGION");
    expect(fake.sts.count()).toBe(0);
  });

  it("concurrent first callers share one walk of the chain", async () => {
    const credentials = deployed(CONTAINER());
    const results = await Promise.all(Array.from({ length: 5 }, () => credentials()));
    expect(new Set(results.map((r) => r.accessKeyId)).size).toBe(1);
    expect(fake.container.count()).toBe(1);
  });

  it("with nothing available, says why each source was skipped", async () => {
    const error = await rejection(() => deployed({ AWS_EC2_METADATA_DISABLED: "true" })());
    expect(error.message).toContain("web-identity: web identity is not configured: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set");
    expect(error.message).toContain("container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
    expect(error.message).toContain("shared-config: shared config files are not read in deployed mode unless the sharedConfig option asks for them");
    expect(error.message).toContain("instance-metadata: AWS_EC2_METADATA_DISABLED is true");
    expect(error.message).toContain("Configure workload identity for this service");
  });

  it("an instance without a role: the IMDS error, and why the other sources were skipped", async () => {
    fake.imds.setRoleName(undefined);
    const error = await rejection(() => deployed({})());
    expect(error.message).toContain(`Instance metadata (IMDSv2) at ${fake.imds.endpoint} gave no credentials`);
    expect(error.message).toContain("instance profile with a role");
    expect(error.message).toContain("Other sources: web-identity: web identity is not configured");
    // Only the sources that were skipped, not the instance role itself.
    expect(error.message).toContain("; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
    expect(error.message).toContain("; shared-config: shared config files are not read in deployed mode");
    expect(error.message).not.toContain("instance-metadata:");
  });

  it("an unreachable metadata service: says the IMDSv2 token request got no answer, not that configuration blocked IMDSv1", async () => {
    // Nothing listens on the discard port: what a deployed process off EC2 sees.
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = "http://127.0.0.1:9";
    const credentials = deployed({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9" }, { instanceMetadata: { timeoutMs: 200, maxRetries: 0 } });
    const error = await rejection(() => credentials());
    expect(error.message).toContain(
      "Instance metadata (IMDSv2) at http://127.0.0.1:9 gave no credentials: the IMDSv2 session token request (PUT /latest/api/token) " +
        "got no answer or was refused, and awscreds never falls back to IMDSv1. This process is probably not on EC2",
    );
    expect(error.message).not.toContain("blocked by AWS SDK configuration");
    expect(error.message).not.toContain("..");
  });

  it("refuses an env option whose IMDS endpoint the SDK provider would not see", async () => {
    const error = await rejection(() => deployed({ AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9" })());
    expect(error.message).toContain("AWS_EC2_METADATA_SERVICE_ENDPOINT differs between the env option and process.env");
    expect(fake.imds.count()).toBe(0);
  });
});

describe("deployed chain: shared files only when asked", () => {
  let home: string;
  let keys: ReturnType<FakeAws["registerStaticKeys"]>;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "awscreds-deployed-home-"));
    await mkdir(join(home, ".aws"));
    keys = fake.registerStaticKeys();
    await writeFile(join(home, ".aws", "credentials"), `[svc]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`);
    await writeFile(join(home, ".aws", "config"), `[profile svc]\nregion = eu-west-1\n`);
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  // The IMDS path here has AWS_EC2_METADATA_SERVICE_ENDPOINT set (it points at the fake); without it, the
  // SDK's instance-metadata provider looks its endpoint up in ~/.aws/config (see the lead's notes).
  it("does not open any file under ~/.aws by default, AWS_PROFILE notwithstanding (web identity and IMDS paths)", async () => {
    process.env.HOME = home;
    process.env.AWS_PROFILE = "svc";
    const watch = watchFs([home]);
    try {
      const irsa = deployed({ HOME: home, AWS_PROFILE: "svc", ...WEB_IDENTITY() });
      await irsa();
      const instance = deployed({ HOME: home, AWS_PROFILE: "svc" });
      await instance();
      expect(instance.describe().notes).toEqual(["AWS_PROFILE is set but ignored in deployed mode"]);
    } finally {
      watch.stop();
    }
    expect(watch.accesses).toEqual([]);
  });

  it("reads the profile with sharedConfig: true, before the instance role", async () => {
    const credentials = deployed({ HOME: home, AWS_PROFILE: "svc" }, { sharedConfig: true });
    const result = await credentials();
    expect(result.accessKeyId).toBe(keys.accessKeyId);
    expect(fake.imds.count()).toBe(0);
    expect(credentials.describe().sources[2]).toMatchObject({
      source: "shared-config",
      state: "chosen",
      reason: 'the sharedConfig option asks for profile "svc" (AWS_PROFILE)',
      details: { profile: "svc", credentialsFile: join(home, ".aws", "credentials") },
    });
  });

  it("moves on when the asked-for profile is not there, saying so", async () => {
    const credentials = deployed({ HOME: home }, { sharedConfig: { profile: "missing" } });
    const result = await credentials();
    expect(fake.imds.issuedAccessKeyIds).toContain(result.accessKeyId);
    const report = credentials.describe().sources[2]!;
    expect(report.state).toBe("skipped");
    expect(report.reason).toContain('Shared config profile "missing" (the sharedConfig.profile option) gave no credentials');
  });

  it("a profile that is there but cannot give credentials stops the chain: its error, never the instance role", async () => {
    await writeFile(
      join(home, ".aws", "config"),
      `[profile base]\nregion = eu-west-1\n\n[profile mfa]\nregion = eu-west-1\nrole_arn = ${ROLE_ARN}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/someone\n`,
    );
    await writeFile(join(home, ".aws", "credentials"), `[base]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`);
    const credentials = deployed({ HOME: home }, { sharedConfig: { profile: "mfa" } });
    const error = await rejection(() => credentials());
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain('Shared config profile "mfa" (the sharedConfig.profile option) gave no credentials');
    expect(error.message).toContain("requires multi-factor authentication");
    expect(error.message).toContain('(deployed mode, APP_ENV="Production".)');
    expect(tryNextLinkOfCause(error)).toBe(false);
    expect(fake.imds.count()).toBe(0);
    expect(fake.sts.count()).toBe(0);
    expect(credentials.describe().chosen).toBeUndefined();
    expect(credentials.describe().sources[2]).toMatchObject({ source: "shared-config", state: "failed", reason: expect.stringContaining("requires multi-factor authentication") });
    expect(credentials.describe().sources[3]).toMatchObject({ source: "instance-metadata", state: "unused" });
  });

  it("an instance role failing after a missing profile names the profile's runtime skip among the other sources", async () => {
    fake.imds.setRoleName(undefined);
    const error = await rejection(() => deployed({ HOME: home }, { sharedConfig: { profile: "missing" } })());
    expect(error.message).toContain('; shared-config: Shared config profile "missing" (the sharedConfig.profile option) gave no credentials');
    expect(error.message).not.toContain("instance-metadata:");
  });

  it("with sharedConfig, AWS_PROFILE and the file variables are used, not noted as ignored; environment keys still are", () => {
    const credentials = deployed(
      { HOME: home, AWS_PROFILE: "svc", AWS_CONFIG_FILE: join(home, ".aws", "config"), AWS_ACCESS_KEY_ID: "AKIDLEFTOVER" },
      { sharedConfig: true },
    );
    expect(credentials.describe().notes).toEqual(["AWS_ACCESS_KEY_ID is set but ignored in deployed mode"]);
  });
});

describe("deployed chain: disposal", () => {
  it("destroy() and [Symbol.dispose] close the web identity source's STS connection; the next call opens a new one", async () => {
    const watch = watchClientSockets(Number(new URL(fake.sts.endpoint).port));
    try {
      const credentials = deployed(WEB_IDENTITY());
      await credentials();
      await credentials();
      expect(watch.sockets).toHaveLength(1);
      expect(credentials[Symbol.dispose]).toBe(credentials.destroy);
      credentials[Symbol.dispose]();
      await new Promise((resolve) => setImmediate(resolve));
      expect(watch.sockets[0]!.destroyed).toBe(true);
      await credentials();
      expect(watch.sockets).toHaveLength(2);
      expect(credentials.describe().chosen).toBe("web-identity");
    } finally {
      watch.stop();
    }
  });

  it("has nothing to close in local mode", () => {
    const credentials = fromEnvGatedChain({ env: { APP_ENV: "local", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } });
    expect(() => credentials[Symbol.dispose]()).not.toThrow();
  });
});

describe("deployed chain: describe()", () => {
  it("holds no secrets and renders as text", async () => {
    const credentials = deployed(CONTAINER());
    const result = await credentials();
    const text = JSON.stringify(credentials.describe()) + formatDescription(credentials.describe());
    for (const secret of [fake.container.authorizationToken, result.secretAccessKey, result.sessionToken!]) expect(text).not.toContain(secret);
    expect(formatDescription(credentials.describe())).toContain('mode: deployed (APP_ENV="Production")');
  });

  it("logs nothing at construction when the configured source can work", () => {
    const logged: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: unknown) => logged.push(String(m)), error: (m: unknown) => logged.push(String(m)) };
    deployed(CONTAINER(), { logger });
    deployed(WEB_IDENTITY(), { logger });
    deployed({}, { logger });
    expect(logged).toEqual([]);
  });

  it("reports no details key for a source without details (util.inspect would show it as undefined)", () => {
    const credentials = deployed(CONTAINER());
    expect(credentials.describe().sources[0]).toStrictEqual({
      source: "web-identity",
      state: "skipped",
      reason: expect.stringContaining("web identity is not configured: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set"),
    });
    expect(Object.keys(credentials.describe().sources[1]!)).toContain("details");
  });

  it("shows its mode in util.inspect (an enumerable, read-only property)", () => {
    const credentials = deployed(CONTAINER());
    expect(inspect(credentials)).toContain("mode: 'deployed'");
    expect(Object.keys(credentials)).toContain("mode");
    expect(() => {
      (credentials as { mode: string }).mode = "local";
    }).toThrow(TypeError);
  });

  it("stsStatus() is the web identity source's, before and after the first call; undefined with another source", async () => {
    const irsa = deployed(WEB_IDENTITY());
    expect(irsa.stsStatus()).toMatchObject({ regionInUse: "eu-west-1", failedOver: false });
    await irsa();
    expect(irsa.stsStatus()).toMatchObject({ regionInUse: "eu-west-1", endpointInUse: `${fake.sts.endpoint}/` });
    const container = deployed(CONTAINER());
    expect(container.stsStatus()).toBeUndefined();
    await container();
    expect(container.stsStatus()).toBeUndefined();
    expect(deployed({ AWS_ROLE_ARN: ROLE_ARN, ...CONTAINER() }).stsStatus()).toBeUndefined();
  });

  it("tells a refresher's telemetry which source it settled on: `chain` until then", async () => {
    const credentials = deployed(CONTAINER());
    expect(sourceKindOf(credentials)).toBe("chain");
    await credentials();
    expect(sourceKindOf(credentials)).toBe("container");
  });

  it("on Lambda, the execution role's keys are the `env` source kind", async () => {
    const credentials = deployed({
      AWS_LAMBDA_FUNCTION_NAME: "orders-handler",
      AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLEEXAMPLE01",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "session-token",
    });
    await credentials();
    expect(credentials.describe().chosen).toBe("env-keys");
    expect(sourceKindOf(credentials)).toBe("env");
  });

  it("identity() names the chosen source with its endpoint, and describe() the platform's evidence", async () => {
    const credentials = deployed({ ...CONTAINER(), AWS_EXECUTION_ENV: "AWS_ECS_FARGATE" });
    expect(credentials.identity()).toBeUndefined();
    await credentials();
    expect(credentials.identity()).toBe(`the container credentials endpoint (ECS task role / EKS Pod Identity) (${fake.container.credentialsUrl}) on Amazon ECS on Fargate`);
    expect(credentials.describe().platform).toMatchObject({ id: "ecs-fargate", evidence: ["AWS_EXECUTION_ENV"] });
  });

  it("notes environment keys that deployed mode ignores", () => {
    const credentials = deployed({ AWS_ACCESS_KEY_ID: "AKIDLEFTOVER", AWS_SECRET_ACCESS_KEY: "x", ...CONTAINER() });
    expect(credentials.describe().notes).toEqual(["AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY are set but ignored in deployed mode"]);
  });
});
