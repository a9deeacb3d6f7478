/**
 * Local mode with a HOME full of someone's real-looking keys, AWS_PROFILE set, and every deployed
 * source pointing at a live fake: only the explicit environment keys are ever used, no file under the
 * poisoned paths is even looked at, and no fake is contacted.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { formatDescription } from "../../src/sources/describe.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv, rejection } from "./support/env.js";
import { watchFs } from "./support/fs-watch.js";

const POISON_DEFAULT = "AKIAPOISONEDDEFAULT0";
const POISON_PROFILE = "AKIAPOISONEDPROFILE0";
const POISON_EXTRA = "AKIAPOISONEDEXTRA000";

let fake: FakeAws;
let poisonedHome: string;
let poisonedDir: string;
let tokenFile: string;
let restoreEnv: () => void;

beforeAll(async () => {
  fake = await startFakeAws();
  poisonedHome = await mkdtemp(join(tmpdir(), "awscreds-poisoned-home-"));
  poisonedDir = await mkdtemp(join(tmpdir(), "awscreds-poisoned-files-"));
  await mkdir(join(poisonedHome, ".aws"));
  await writeFile(
    join(poisonedHome, ".aws", "credentials"),
    `[default]\naws_access_key_id = ${POISON_DEFAULT}\naws_secret_access_key = poisoned-secret\n\n[prod]\naws_access_key_id = ${POISON_PROFILE}\naws_secret_access_key = poisoned-secret\n`,
  );
  await writeFile(join(poisonedHome, ".aws", "config"), `[default]\nregion = us-east-1\n\n[profile prod]\nregion = us-east-1\ncredential_process = /bin/false\n`);
  await writeFile(join(poisonedDir, "credentials"), `[prod]\naws_access_key_id = ${POISON_EXTRA}\naws_secret_access_key = poisoned-secret\n`);
  await writeFile(join(poisonedDir, "config"), `[profile prod]\nregion = us-east-1\n`);
  tokenFile = await fake.writeWebIdentityToken();
});

afterAll(async () => {
  await fake.close();
  await rm(poisonedHome, { recursive: true, force: true });
  await rm(poisonedDir, { recursive: true, force: true });
});

beforeEach(() => {
  restoreEnv = isolateEnv({
    ...fake.env,
    APP_ENV: "development",
    HOME: poisonedHome,
    AWS_PROFILE: "prod",
    AWS_SHARED_CREDENTIALS_FILE: join(poisonedDir, "credentials"),
    AWS_CONFIG_FILE: join(poisonedDir, "config"),
    AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/should-not-be-used",
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    KUBERNETES_SERVICE_HOST: "10.0.0.1",
  });
  // Every deployed source is reachable: local mode must still not touch any of them.
  delete process.env.AWS_EC2_METADATA_DISABLED;
  for (const service of [fake.sts, fake.imds, fake.container]) service.clearCalls();
});

afterEach(() => restoreEnv());

const noFakeContacted = (): void => {
  expect(fake.imds.calls).toEqual([]);
  expect(fake.container.calls).toEqual([]);
  expect(fake.sts.calls).toEqual([]);
};

describe("local mode", () => {
  it("the file watch sees reads of the poisoned files (control)", async () => {
    const watch = watchFs([poisonedHome, poisonedDir]);
    try {
      await readFile(join(poisonedHome, ".aws", "credentials"), "utf8");
      readFileSync(join(poisonedDir, "config"), "utf8");
    } finally {
      watch.stop();
    }
    expect(watch.accesses).toHaveLength(2);
  });

  it("uses only the environment keys, opens no file under ~/.aws or the shared-file variables, contacts no fake", async () => {
    const keys = fake.registerStaticKeys();
    process.env.AWS_ACCESS_KEY_ID = keys.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = keys.secretAccessKey;

    const watch = watchFs([poisonedHome, poisonedDir]);
    let description: ReturnType<ReturnType<typeof fromEnvGatedChain>["describe"]>;
    try {
      const credentials = fromEnvGatedChain();
      expect(credentials.mode).toBe("local");
      const first = await credentials();
      const second = await credentials({ callerClientConfig: { profile: "prod" } });
      expect(first.accessKeyId).toBe(keys.accessKeyId);
      expect(second.accessKeyId).toBe(keys.accessKeyId);
      description = credentials.describe();
    } finally {
      watch.stop();
    }
    expect(watch.accesses).toEqual([]);
    noFakeContacted();

    expect(description.chosen).toBe("env-keys");
    expect(description.sources.map((s) => [s.source, s.state])).toEqual([
      ["env-keys", "chosen"],
      ["web-identity", "skipped"],
      ["container", "skipped"],
      ["shared-config", "skipped"],
      ["instance-metadata", "skipped"],
    ]);
    expect(description.sources[1]!.reason).toBe('never used in local mode (APP_ENV="development")');
    expect(description.notes.join()).toContain("AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_ROLE_ARN");
    expect(JSON.stringify(description)).not.toContain(keys.secretAccessKey);
    expect(formatDescription(description)).toContain("✓ env-keys: chosen");
    // Masked as doctor masks it: enough to match CloudTrail, not the whole id.
    expect(formatDescription(description)).toContain(`[accessKeyId=${keys.accessKeyId.slice(0, 4)}…${keys.accessKeyId.slice(-4)}]`);
    expect(formatDescription(description)).not.toContain(keys.accessKeyId);
  });

  it("without keys: an error saying what to set, still no file opened and no fake contacted", async () => {
    process.env.AWS_SESSION_TOKEN = "only-a-token";
    const watch = watchFs([poisonedHome, poisonedDir]);
    let error: Awaited<ReturnType<typeof rejection>>;
    try {
      const credentials = fromEnvGatedChain();
      error = await rejection(() => credentials());
      expect(credentials.describe().sources[0]).toMatchObject({ source: "env-keys", state: "failed" });
    } finally {
      watch.stop();
    }
    expect(watch.accesses).toEqual([]);
    noFakeContacted();

    expect(error.name).toBe("CredentialsProviderError");
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain('Local mode (APP_ENV="development"): AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    expect(error.message).toContain("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    expect(error.message).toContain("shared files (~/.aws/credentials, ~/.aws/config) and instance roles are never used");
    expect(error.message).toContain("AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE are set but ignored in local mode");
    expect(error.message).toContain("set APP_ENV to one of: production, staging, integration");
    for (const poisoned of [POISON_DEFAULT, POISON_PROFILE, POISON_EXTRA, "only-a-token"]) expect(error.message).not.toContain(poisoned);
  });

  it("half-set keys are an error naming the missing half", async () => {
    process.env.AWS_ACCESS_KEY_ID = "AKIDLOCAL";
    const error = await rejection(() => fromEnvGatedChain()());
    expect(error.message).toContain("AWS_SECRET_ACCESS_KEY is not set (the keys are only half set)");
    noFakeContacted();
  });

  it("a missing APP_ENV fails at construction, naming it", () => {
    delete process.env.APP_ENV;
    expect(() => fromEnvGatedChain()).toThrow(/APP_ENV is not set/);
  });

  it("the env option replaces process.env entirely", async () => {
    const credentials = fromEnvGatedChain({ env: { APP_ENV: "laptop", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } });
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: "test", secretAccessKey: "test" });
    expect(credentials.describe()).toMatchObject({ mode: "local", appEnv: "laptop", notes: [] });
    noFakeContacted();
  });
});

describe("local mode: describe() and the provider's shape", () => {
  const LOCAL = (vars: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({ APP_ENV: "laptop", ...vars });

  it("before the first call the keys are a candidate, not chosen; after it they are chosen", async () => {
    const env = LOCAL({ AWS_ACCESS_KEY_ID: "AKIDLOCALCANDIDATE", AWS_SECRET_ACCESS_KEY: "local-secret" });
    const credentials = fromEnvGatedChain({ env });
    expect(credentials.describe().chosen).toBeUndefined();
    expect(credentials.describe().sources[0]).toStrictEqual({
      source: "env-keys",
      state: "candidate",
      reason: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set",
      details: { accessKeyId: "AKIDLOCALCANDIDATE" },
    });
    await credentials();
    expect(credentials.describe().chosen).toBe("env-keys");
    expect(credentials.describe().sources[0]).toMatchObject({ source: "env-keys", state: "chosen" });
    env.AWS_SESSION_TOKEN = "local-token";
    expect(credentials.describe().sources[0]!.reason).toBe("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (with AWS_SESSION_TOKEN)");
    noFakeContacted();
  });

  it("keys removed after a success: nothing is reported as chosen, and the next call fails", async () => {
    const env = LOCAL({ AWS_ACCESS_KEY_ID: "AKIDLOCALREMOVED", AWS_SECRET_ACCESS_KEY: "local-secret" });
    const credentials = fromEnvGatedChain({ env });
    await credentials();
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    expect(credentials.describe().chosen).toBeUndefined();
    // The last call succeeded: not failed (yet), but no longer usable as configured.
    expect(credentials.describe().sources[0]).toMatchObject({ source: "env-keys", state: "candidate", reason: expect.stringContaining("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set") });
    await rejection(() => credentials());
    expect(credentials.describe().sources[0]).toMatchObject({ source: "env-keys", state: "failed" });
    // Keys back: the failure is forgotten by the next success.
    Object.assign(env, { AWS_ACCESS_KEY_ID: "AKIDLOCALBACK", AWS_SECRET_ACCESS_KEY: "local-secret" });
    await credentials();
    delete env.AWS_ACCESS_KEY_ID;
    expect(credentials.describe().sources[0]!.state).toBe("candidate");
  });

  it("shows its mode in util.inspect (an enumerable, read-only property)", () => {
    const credentials = fromEnvGatedChain({ env: LOCAL() });
    expect(inspect(credentials)).toContain("mode: 'local'");
    expect(Object.keys(credentials)).toContain("mode");
    expect(() => {
      (credentials as { mode: string }).mode = "deployed";
    }).toThrow(TypeError);
    expect(credentials.mode).toBe("local");
    expect(credentials.stsStatus()).toBeUndefined();
  });
});
