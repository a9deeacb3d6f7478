import { describe, expect, it } from "vitest";
import { decideAppMode, DEFAULT_DEPLOYED_ENVS } from "../../src/sources/app-env.js";

describe("decideAppMode", () => {
  it("treats the default deployed environments as deployed, ignoring case and surrounding whitespace", () => {
    expect(DEFAULT_DEPLOYED_ENVS).toEqual(["production", "staging", "integration"]);
    for (const appEnv of ["production", " Production ", "STAGING", "\tintegration\n"]) {
      expect(decideAppMode({ env: { APP_ENV: appEnv } }).mode).toBe("deployed");
    }
  });

  it("treats everything else as local", () => {
    for (const appEnv of ["local", "development", "test", "prod", "productionish", "ci"]) {
      expect(decideAppMode({ env: { APP_ENV: appEnv } })).toMatchObject({ mode: "local", appEnv, from: "APP_ENV" });
    }
  });

  it("lets the appEnv option win over APP_ENV", () => {
    expect(decideAppMode({ appEnv: "production", env: { APP_ENV: "local" } })).toMatchObject({
      mode: "deployed",
      appEnv: "production",
      from: "the appEnv option",
    });
  });

  it("uses deployedEnvs instead of the defaults, normalized", () => {
    const decision = decideAppMode({ deployedEnvs: [" Prod ", "EU-Prod", ""], env: { APP_ENV: "eu-prod" } });
    expect(decision).toMatchObject({ mode: "deployed", deployedEnvs: ["prod", "eu-prod"] });
    expect(decideAppMode({ deployedEnvs: ["prod"], env: { APP_ENV: "production" } }).mode).toBe("local");
  });

  it("fails, naming APP_ENV and what to set it to, when it is missing or blank", () => {
    for (const [env, state] of [
      [{}, "APP_ENV is not set"],
      [{ APP_ENV: "" }, "APP_ENV is set but empty"],
      [{ APP_ENV: "   " }, "APP_ENV is set but blank (only whitespace)"],
    ] as const) {
      let error: unknown;
      try {
        decideAppMode({ env });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      const e = error as Error & { tryNextLink: boolean };
      expect(e.name).toBe("CredentialsProviderError");
      expect(e.tryNextLink).toBe(false);
      expect(e.message).toContain(state);
      expect(e.message).toContain("production, staging, integration");
      expect(e.message).toContain("AWS_ACCESS_KEY_ID");
      expect(e.message).toContain("appEnv option");
    }
  });

  it("refuses an empty deployedEnvs, which would make production local", () => {
    for (const deployedEnvs of [[], [""], [" ", ""]]) {
      expect(() => decideAppMode({ deployedEnvs, env: { APP_ENV: "production" } })).toThrow(
        /deployedEnvs is empty.*every APP_ENV, production included, would mean local mode.*production, staging, integration/,
      );
    }
  });

  it("says so when the appEnv option is given but empty", () => {
    expect(() => decideAppMode({ appEnv: " ", env: {} })).toThrow(/appEnv option was given but is empty/);
    // Not a silent fallback to APP_ENV: a blank option is the same error as a blank APP_ENV.
    for (const appEnv of ["", " ", "\t\n"]) {
      expect(() => decideAppMode({ appEnv, env: { APP_ENV: "production" } })).toThrow(/^The appEnv option is empty, so awscreds cannot tell.*appEnv option was given but is empty \(APP_ENV is not used in its place\)/s);
    }
  });
});
