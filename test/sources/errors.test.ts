/**
 * The errors awscreds throws are the SDK's own `CredentialsProviderError` (loaded lazily, on the first
 * error, so importing awscreds stays light): `instanceof` holds against the package users import, and the
 * SDK's `chain` honours `tryNextLink` — it moves on past an unconfigured source and stops at a failing one.
 */
import { inspect } from "node:util";
import { chain, CredentialsProviderError } from "@smithy/property-provider";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { credentialsError } from "../../src/shared/errors.js";
import { fromRegionalWebIdentity } from "../../src/sources/web-identity.js";
import { isolateEnv, rejection } from "./support/env.js";

const NEXT = { accessKeyId: "AKIDNEXTLINK00000000", secretAccessKey: "next-secret" };

let restoreEnv: () => void;
beforeEach(() => {
  restoreEnv = isolateEnv();
});
afterEach(() => restoreEnv());

describe("CredentialsProviderError", () => {
  it("is an instance of @smithy/property-provider's class, with tryNextLink and a hidden cause", () => {
    const error = credentialsError("source failed", { tryNextLink: false, cause: new Error("boom") });
    expect(error).toBeInstanceOf(CredentialsProviderError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("CredentialsProviderError");
    expect(error.tryNextLink).toBe(false);
    expect(Object.keys(error)).not.toContain("cause");
    expect(inspect(error)).toContain("boom");
    expect(credentialsError("not here", { tryNextLink: true }).tryNextLink).toBe(true);
  });

  it("local mode without keys rejects with the package's class", async () => {
    const error = await rejection(() => fromEnvGatedChain({ env: { APP_ENV: "local" } })());
    expect(error).toBeInstanceOf(CredentialsProviderError);
    expect(error.tryNextLink).toBe(false);
  });

  it("the SDK's chain skips an unconfigured web identity source and uses the next one", async () => {
    let nextCalls = 0;
    const provider = chain(fromRegionalWebIdentity({ env: { AWS_REGION: "eu-west-1" } }), async () => {
      nextCalls += 1;
      return NEXT;
    });
    await expect(provider()).resolves.toEqual(NEXT);
    expect(nextCalls).toBe(1);
  });

  it("the SDK's chain stops at a source that is configured and fails", async () => {
    let nextCalls = 0;
    const provider = chain(fromEnvGatedChain({ env: { APP_ENV: "local" } }), async () => {
      nextCalls += 1;
      return NEXT;
    });
    const error = await rejection(() => provider());
    expect(error).toBeInstanceOf(CredentialsProviderError);
    expect(error.message).toContain("AWS_ACCESS_KEY_ID");
    expect(nextCalls).toBe(0);
  });
});
