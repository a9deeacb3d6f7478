import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { fromLocalEnvKeys, readLocalKeys } from "../../src/sources/env-keys.js";

async function rejection(promise: Promise<unknown>): Promise<Error & { tryNextLink?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("readLocalKeys", () => {
  it("reads keys, session token, expiration and account id", () => {
    const reading = readLocalKeys({
      AWS_ACCESS_KEY_ID: "AKIDLOCAL",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
      AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z",
      AWS_ACCOUNT_ID: "123456789012",
    });
    expect(reading).toEqual({
      ok: true,
      credentials: {
        accessKeyId: "AKIDLOCAL",
        secretAccessKey: "secret",
        sessionToken: "token",
        expiration: new Date("2030-01-01T00:00:00Z"),
        accountId: "123456789012",
      },
    });
  });

  it("names what is missing, and calls half-set keys half set", () => {
    expect(readLocalKeys({})).toEqual({ ok: false, problem: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set" });
    expect(readLocalKeys({ AWS_ACCESS_KEY_ID: "a" })).toEqual({ ok: false, problem: "AWS_SECRET_ACCESS_KEY is not set (the keys are only half set)" });
    expect(readLocalKeys({ AWS_SECRET_ACCESS_KEY: "s", AWS_ACCESS_KEY_ID: " " })).toEqual({
      ok: false,
      problem: "AWS_ACCESS_KEY_ID is not set (the keys are only half set)",
    });
  });

  it("rejects an unparseable expiration", () => {
    const reading = readLocalKeys({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", AWS_CREDENTIAL_EXPIRATION: "soon" });
    expect(reading).toMatchObject({ ok: false, problem: expect.stringContaining("AWS_CREDENTIAL_EXPIRATION is not a date") });
  });
});

describe("fromLocalEnvKeys", () => {
  it("returns safe credentials: the secret never shows in inspect or JSON", async () => {
    const credentials = await fromLocalEnvKeys({ env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "very-secret" } })();
    expect(credentials).toMatchObject({ accessKeyId: "test", secretAccessKey: "very-secret" });
    expect(inspect(credentials)).not.toContain("very-secret");
    expect(JSON.stringify(credentials)).not.toContain("very-secret");
  });

  it("reads the environment on every call", async () => {
    const env: Record<string, string | undefined> = {};
    const provider = fromLocalEnvKeys({ env });
    await expect(provider()).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
    env.AWS_ACCESS_KEY_ID = "later";
    env.AWS_SECRET_ACCESS_KEY = "s";
    await expect(provider()).resolves.toMatchObject({ accessKeyId: "later" });
  });

  it("explains what to set, that shared files and instance roles are never used, and which file variables are ignored", async () => {
    const error = await rejection(
      fromLocalEnvKeys({
        appEnv: "dev",
        deployedEnvs: ["production", "staging"],
        env: { AWS_ACCESS_KEY_ID: "AKIDHALF", AWS_PROFILE: "prod-admin", AWS_CONFIG_FILE: "/x/config" },
      })(),
    );
    expect(error.name).toBe("CredentialsProviderError");
    expect(error.tryNextLink).toBe(false);
    expect(error.message).toContain('Local mode (APP_ENV="dev")');
    expect(error.message).toContain("AWS_SECRET_ACCESS_KEY is not set (the keys are only half set)");
    expect(error.message).toContain("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    expect(error.message).toContain("AWS_SESSION_TOKEN");
    expect(error.message).toContain("AWS_ACCESS_KEY_ID=test and AWS_SECRET_ACCESS_KEY=test");
    expect(error.message).toContain("shared files (~/.aws/credentials, ~/.aws/config) and instance roles are never used");
    expect(error.message).toContain("AWS_PROFILE, AWS_CONFIG_FILE are set but ignored in local mode");
    expect(error.message).toContain("set APP_ENV to one of: production, staging");
    // The profile name may be named as ignored; the (half) key id is not repeated anywhere.
    expect(error.message).not.toContain("AKIDHALF");
  });
});
