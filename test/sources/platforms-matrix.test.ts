/**
 * The deployment matrix, one row per platform: the platform's environment as it sets it → the platform the
 * table detects, the source the chain chooses, the identity the fakes return for it (STS GetCallerIdentity
 * with the resolved credentials), what describe() says, and doctor's verdict and exit code. Where a platform
 * points at an address a test cannot reach (ECS's 169.254.170.2 relative URI, the Pod Identity agent), the
 * row is detected as set and resolved with the same variables pointed at the loopback fake instead.
 */
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { collectDoctorReport } from "../../src/cli/doctor/collect.js";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { createRefresher } from "../../src/refresh/refresher.js";
import { fromEnvGatedChain, type EnvGatedChainProvider } from "../../src/sources/chain.js";
import { fromRegionalWebIdentity } from "../../src/sources/web-identity.js";
import { formatDescription, type SourceName } from "../../src/sources/describe.js";
import { PLATFORMS, detectPlatform, type PlatformId } from "../../src/sources/platforms.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import type { AwsCredentialIdentity } from "@smithy/types";
import { rejection, resetForChain } from "./support/env.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/orders";
const LAMBDA_ROLE_ARN = "arn:aws:iam::123456789012:role/orders-handler-role";

let fake: FakeAws;
let dir: string;
let tokenFile: string;
let podTokenFile: string;
let restoreEnv: () => void;
/** Lambda hands over an assumed-role session of the execution role: keys and a session token, no expiration. */
let lambdaKeys: { accessKeyId: string; secretAccessKey: string; sessionToken: string };

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
  dir = await mkdtemp(join(tmpdir(), "awscreds-matrix-"));
  const session = await fromRegionalWebIdentity({
    roleArn: LAMBDA_ROLE_ARN,
    webIdentityTokenFile: await fake.writeWebIdentityToken(),
    roleSessionName: "orders-handler",
    region: "eu-west-1",
    endpoint: fake.sts.endpoint,
    env: {},
  })();
  lambdaKeys = { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken! };
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  // The SDK's IMDS provider reads its endpoint from process.env: the fake's.
  ({ restoreEnv, tokenFile } = await resetForChain(fake));
  podTokenFile = join(dir, "eks-pod-identity-token");
  writeFileSync(podTokenFile, fake.container.authorizationToken);
});
afterEach(() => restoreEnv());

/** Lambda's reserved variables (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html). */
const LAMBDA_RUNTIME = {
  AWS_LAMBDA_FUNCTION_NAME: "orders-handler",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/orders-handler",
  AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
  LAMBDA_TASK_ROOT: "/var/task",
  LAMBDA_RUNTIME_DIR: "/var/runtime",
  AWS_REGION: "eu-west-1",
  AWS_DEFAULT_REGION: "eu-west-1",
};
const lambdaKeyVars = (): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: lambdaKeys.accessKeyId,
  AWS_SECRET_ACCESS_KEY: lambdaKeys.secretAccessKey,
  AWS_SESSION_TOKEN: lambdaKeys.sessionToken,
});
/** The fake container endpoint, standing in for 169.254.170.2 / 169.254.170.23. */
const containerAtFake = (): Record<string, string> => ({
  AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.container.authorizationToken,
});
const ECS_RELATIVE = { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/5f0c3a1e-task" };

interface Row {
  platform: PlatformId;
  label: string;
  /** As the platform sets it (APP_ENV and AWS_REGION are the user's). */
  env: () => Record<string, string>;
  /** The same, pointed at the fakes where the platform's address is unreachable from a test. */
  reachable?: () => Record<string, string>;
  source: SourceName;
  /** Whose identity STS reports for the resolved credentials. */
  arn: () => RegExp;
  mode: "deployed" | "local";
}

/**
 * A platform that serves its role at ECS's relative URI (169.254.170.2): as set, and with the same variables
 * pointed at the fake container endpoint.
 */
function ecsStyle(platform: PlatformId, label: string, vars: Record<string, string>): Row {
  const base = { APP_ENV: "production", AWS_REGION: "eu-west-1", ...vars };
  return {
    platform,
    label,
    mode: "deployed",
    env: () => ({ ...base, ...ECS_RELATIVE }),
    reachable: () => ({ ...base, ...containerAtFake() }),
    source: "container",
    arn: () => /fake-task-role/,
  };
}

const ROWS: Row[] = [
  {
    platform: "lambda",
    label: "AWS Lambda, zip (managed runtime)",
    mode: "deployed",
    env: () => ({ APP_ENV: "production", ...LAMBDA_RUNTIME, AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x", ...lambdaKeyVars() }),
    source: "env-keys",
    arn: () => /assumed-role\/orders-handler-role\/orders-handler$/,
  },
  {
    platform: "lambda",
    label: "AWS Lambda, container image on an OS-only base (no AWS_EXECUTION_ENV)",
    mode: "deployed",
    env: () => ({ APP_ENV: "production", ...LAMBDA_RUNTIME, ...lambdaKeyVars() }),
    source: "env-keys",
    arn: () => /assumed-role\/orders-handler-role\/orders-handler$/,
  },
  {
    platform: "lambda-snapstart",
    label: "AWS Lambda with SnapStart (credentials through the container endpoint)",
    mode: "deployed",
    env: () => ({ APP_ENV: "production", ...LAMBDA_RUNTIME, AWS_EXECUTION_ENV: "AWS_Lambda_java21", AWS_LAMBDA_INITIALIZATION_TYPE: "snap-start", ...containerAtFake() }),
    source: "container",
    arn: () => /fake-task-role/,
  },
  ecsStyle("ecs-fargate", "Amazon ECS on Fargate", { AWS_EXECUTION_ENV: "AWS_ECS_FARGATE", ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/abc" }),
  ecsStyle("ecs-ec2", "Amazon ECS on EC2", { AWS_EXECUTION_ENV: "AWS_ECS_EC2", ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/abc" }),
  ecsStyle("batch", "AWS Batch (on ECS)", { AWS_BATCH_JOB_ID: "a1b2", AWS_BATCH_JQ_NAME: "q", AWS_BATCH_CE_NAME: "ce", AWS_BATCH_JOB_ATTEMPT: "1", AWS_EXECUTION_ENV: "AWS_ECS_EC2" }),
  ecsStyle("codebuild", "AWS CodeBuild", { APP_ENV: "integration", CODEBUILD_BUILD_ID: "proj:b1e6", CODEBUILD_BUILD_ARN: "arn:aws:codebuild:eu-west-1:123456789012:build/proj:b1e6" }),
  ecsStyle("app-runner", "AWS App Runner (container endpoint, no platform variable)", { PORT: "8080" }),
  {
    platform: "eks-irsa",
    label: "Amazon EKS with IRSA",
    mode: "deployed",
    env: () => ({
      APP_ENV: "production",
      KUBERNETES_SERVICE_HOST: "10.100.0.1",
      AWS_ROLE_ARN: ROLE_ARN,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_STS_REGIONAL_ENDPOINTS: "regional",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
    }),
    source: "web-identity",
    arn: () => /assumed-role\/orders\//,
  },
  {
    platform: "eks-pod-identity",
    label: "Amazon EKS with Pod Identity",
    mode: "deployed",
    env: () => ({
      APP_ENV: "production",
      AWS_REGION: "eu-west-1",
      KUBERNETES_SERVICE_HOST: "10.100.0.1",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: podTokenFile,
    }),
    reachable: () => ({
      APP_ENV: "production",
      AWS_REGION: "eu-west-1",
      KUBERNETES_SERVICE_HOST: "10.100.0.1",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: podTokenFile,
    }),
    source: "container",
    arn: () => /fake-task-role/,
  },
  {
    platform: "ec2",
    label: "Amazon EC2 (instance profile)",
    mode: "deployed",
    env: () => ({ APP_ENV: "production", AWS_REGION: "eu-west-1" }),
    source: "instance-metadata",
    arn: () => /fake-instance-role/,
  },
  {
    platform: "ci-runner",
    label: "CI runner with keys (GitHub Actions)",
    mode: "local",
    env: () => ({ APP_ENV: "ci", CI: "true", GITHUB_ACTIONS: "true", AWS_REGION: "eu-west-1", ...lambdaKeyVarsAs("arn:aws:iam::123456789012:user/ci") }),
    source: "env-keys",
    arn: () => /user\/ci$/,
  },
  {
    platform: "laptop",
    label: "a laptop with keys",
    mode: "local",
    env: () => ({ APP_ENV: "local", AWS_REGION: "eu-west-1", ...lambdaKeyVarsAs("arn:aws:iam::123456789012:user/dev") }),
    source: "env-keys",
    arn: () => /user\/dev$/,
  },
];

/** Keys the fake STS knows, for an identity of its own. */
function lambdaKeyVarsAs(arn: string): Record<string, string> {
  const keys = fake.registerStaticKeys({ arn });
  return { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
}

function chainFor(env: Record<string, string>): EnvGatedChainProvider {
  return fromEnvGatedChain({
    // The SDK's IMDS provider reads process.env; the chain insists the env option agrees.
    env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.imds.endpoint, ...env },
    webIdentity: { endpoint: fake.sts.endpoint, retry: { baseDelayMs: 5 } },
    container: { timeoutMs: 200, maxRetries: 0 },
    instanceMetadata: { timeoutMs: 200, maxRetries: 0 },
  });
}

/** Whose credentials these are, by the fake STS. */
async function callerArn(credentials: AwsCredentialIdentity): Promise<string | undefined> {
  const client = new STSClient({ region: "eu-west-1", endpoint: fake.sts.endpoint, credentials, maxAttempts: 1 });
  try {
    return (await client.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    client.destroy();
  }
}

function capture(env: Record<string, string>): { io: CliIo; stdout(): string } {
  let out = "";
  return {
    io: { stdout: { write: (s: string) => (out += s), isTTY: false, columns: 120 }, stderr: { write: () => true, isTTY: false }, env: { HOME: dir, ...env } },
    stdout: () => out,
  };
}

describe("the matrix covers every platform of the table", () => {
  it("one row (at least) per platform id, except bare Kubernetes (tested below as the failing case)", () => {
    const tested = new Set(ROWS.map((r) => r.platform));
    expect(PLATFORMS.map((p) => p.id).filter((id) => !tested.has(id))).toEqual(["kubernetes"]);
  });
});

describe.each(ROWS)("$label", (row) => {
  it("is detected from the platform's own variables, as set and as pointed at the fakes", () => {
    expect(detectPlatform(row.env(), row.mode).platform.id).toBe(row.platform);
    if (row.reachable) expect(detectPlatform(row.reachable(), row.mode).platform.id).toBe(row.platform);
  });

  it("the chain chooses the platform's identity source, and STS says whose the credentials are", async () => {
    const env = (row.reachable ?? row.env)();
    const chain = chainFor(env);
    expect(chain.mode).toBe(row.mode);
    const credentials = await chain();
    const description = chain.describe();
    expect(description.platform?.id).toBe(row.platform);
    expect(description.chosen).toBe(row.source);
    expect(PLATFORMS.find((p) => p.id === row.platform)!.identity).toBe(row.source);
    expect(await callerArn(credentials)).toMatch(row.arn());
    // Whose they are, in words (what a refresher's status().identity shows).
    expect(chain.identity()).toContain(row.source === "env-keys" && row.mode === "deployed" ? "the execution role of AWS Lambda function" : PLATFORMS.find((p) => p.id === row.platform)!.name);
    // describe() names the platform and the chosen source, and never a secret.
    const text = formatDescription(description);
    expect(text).toContain(`platform: ${PLATFORMS.find((p) => p.id === row.platform)!.name}`);
    expect(text).toMatch(new RegExp(`✓ ${row.source}: chosen`));
    expect(text).not.toContain(credentials.secretAccessKey);
    if (row.source !== "instance-metadata") expect(fake.imds.count()).toBe(0);
  });

  it("doctor: exit 0 and a verdict naming the source", async () => {
    const env = (row.reachable ?? row.env)();
    const report = await collectDoctorReport(env, { stsEndpoint: fake.sts.endpoint });
    expect(report.platform.id).toBe(row.platform);
    expect(report.verdict).toMatchObject({ ok: true, source: row.source });
    const c = capture(env);
    expect(await main(["doctor", "--sts-endpoint", fake.sts.endpoint], c.io)).toBe(0);
    expect(c.stdout()).toContain(PLATFORMS.find((p) => p.id === row.platform)!.name);
    expect(c.stdout()).toContain("✓ Credentials would resolve");
    expect(c.stdout()).not.toContain("env-keys-in-deployed");
  });
});

describe("AWS Lambda", () => {
  const lambdaEnv = (): Record<string, string> => ({ APP_ENV: "production", ...LAMBDA_RUNTIME, AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x", ...lambdaKeyVars() });

  it("uses the execution role's keys with no IMDS attempt and no warning; describe() and doctor explain whose they are", async () => {
    const logged: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: unknown) => void logged.push(String(m)), error: (m: unknown) => void logged.push(String(m)) };
    const chain = fromEnvGatedChain({ env: lambdaEnv(), logger });
    expect(chain.identity()).toBeUndefined(); // nothing chosen yet
    const credentials = await chain();
    expect(credentials.accessKeyId).toBe(lambdaKeys.accessKeyId);
    expect(credentials.sessionToken).toBe(lambdaKeys.sessionToken);
    expect(fake.imds.count()).toBe(0);
    expect(logged).toEqual([]);
    const description = chain.describe();
    expect(description.notes).toEqual([]); // the keys are not "set but ignored" here
    const keys = description.sources.find((s) => s.source === "env-keys");
    expect(keys).toMatchObject({ state: "chosen", reason: expect.stringContaining('the execution role of AWS Lambda function "orders-handler"') });
    expect(description.sources.find((s) => s.source === "instance-metadata")).toMatchObject({
      state: "skipped",
      reason: expect.stringContaining("not tried on AWS Lambda"),
    });

    const c = capture(lambdaEnv());
    expect(await main(["doctor"], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/On AWS Lambda \(AWS_LAMBDA_FUNCTION_NAME,\s+AWS_LAMBDA_RUNTIME_API/);
    expect(c.stdout()).toContain("workload identity: nothing to remove");
    expect(c.stdout()).not.toContain("Remove the keys");
    expect(c.stdout()).not.toContain(lambdaKeys.secretAccessKey);
    expect(c.stdout()).not.toContain(lambdaKeys.sessionToken);
  });

  it("a refresher over Lambda's keys fetches once (no expiration) and status() says whose they are", async () => {
    const chain = fromEnvGatedChain({ env: lambdaEnv() });
    const refresher = createRefresher(chain);
    try {
      await refresher.ready;
      for (let i = 0; i < 5; i++) await refresher();
      const status = refresher.status();
      expect(status).toMatchObject({ state: "ready", refreshCount: 1, expiration: undefined, nextRefreshAt: undefined });
      expect(status.identity).toContain('the execution role of AWS Lambda function "orders-handler"');
      expect(status.identity).toContain("no expiration");
      expect(JSON.stringify(status)).not.toContain(lambdaKeys.secretAccessKey);
    } finally {
      refresher.stop();
    }
  });

  it("is told from Lambda's variables, not from the keys: keys with a copied function name alone are refused", async () => {
    // AWS_LAMBDA_FUNCTION_NAME without the runtime's variables, or in a pod, is not Lambda.
    const copies: Record<string, string>[] = [{}, { KUBERNETES_SERVICE_HOST: "10.100.0.1", LAMBDA_TASK_ROOT: "/var/task" }, { ECS_CONTAINER_METADATA_URI_V4: "http://x", LAMBDA_TASK_ROOT: "/var/task" }];
    for (const extra of copies) {
      const env = { APP_ENV: "production", AWS_REGION: "eu-west-1", AWS_EC2_METADATA_DISABLED: "true", AWS_LAMBDA_FUNCTION_NAME: "copied", ...extra, ...lambdaKeyVars() };
      expect(detectPlatform(env, "deployed").platform.id).not.toMatch(/^lambda/);
      const error = await rejection(() => chainFor(env)());
      expect(error.message).toContain("No credential source is available");
    }
  });
});

describe("stray keys outside Lambda", () => {
  it("deployed mode refuses environment keys everywhere else, with today's error, and doctor says to remove them", async () => {
    const elsewhere: Record<string, string>[] = [{}, { CI: "true", GITHUB_ACTIONS: "true" }, { AWS_EXECUTION_ENV: "AWS_ECS_FARGATE" }];
    for (const extra of elsewhere) {
      const env = { APP_ENV: "production", AWS_REGION: "eu-west-1", AWS_EC2_METADATA_DISABLED: "true", ...extra, ...lambdaKeyVars() };
      const chain = chainFor(env);
      const error = await rejection(() => chain());
      expect(error.message).toContain('No credential source is available (deployed mode, APP_ENV="production")');
      expect(chain.describe().sources.map((s) => s.source)).not.toContain("env-keys");
      expect(chain.describe().notes).toEqual(["AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY are set but ignored in deployed mode"]);
      const report = await collectDoctorReport(env);
      expect(report.verdict.ok).toBe(false);
      expect(report.warnings.map((w) => w.code)).toContain("env-keys-in-deployed");
    }
  });

  it("with an instance role reachable, the keys are still not used: the instance role is", async () => {
    const env = { APP_ENV: "production", AWS_REGION: "eu-west-1", ...lambdaKeyVars() };
    const credentials = await chainFor(env)();
    expect(credentials.accessKeyId).not.toBe(lambdaKeys.accessKeyId);
    expect(fake.imds.issuedAccessKeyIds).toContain(credentials.accessKeyId);
  });
});

describe("a platform without its identity configured", () => {
  it("Fargate without a task role fails at once, with no IMDS attempt, saying what the platform needs", async () => {
    const env = { APP_ENV: "production", AWS_REGION: "eu-west-1", AWS_EXECUTION_ENV: "AWS_ECS_FARGATE", ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/abc" };
    const error = await rejection(() => chainFor(env)());
    expect(error.message).toContain("No credential source is available");
    expect(error.message).toContain("On Amazon ECS on Fargate (AWS_EXECUTION_ENV, ECS_CONTAINER_METADATA_URI_V4 set), set up its workload identity: APP_ENV=production in the task definition and a task role (taskRoleArn).");
    expect(error.message).toContain("instance-metadata: not tried on Amazon ECS on Fargate");
    expect(fake.imds.count()).toBe(0);
  });
});

describe("Kubernetes without IRSA or Pod Identity", () => {
  it("is detected, refuses the node's role, and doctor exits 1 saying what to configure", async () => {
    const env = { APP_ENV: "production", AWS_REGION: "eu-west-1", KUBERNETES_SERVICE_HOST: "10.100.0.1" };
    expect(detectPlatform(env, "deployed").platform).toMatchObject({ id: "kubernetes", identity: null });
    const error = await rejection(() => chainFor(env)());
    expect(error.message).toContain("off in Kubernetes");
    expect(fake.imds.count()).toBe(0);
    const c = capture(env);
    expect(await main(["doctor"], c.io)).toBe(1);
    expect(c.stdout()).toContain("Kubernetes (no IRSA, no Pod Identity)");
  });
});
