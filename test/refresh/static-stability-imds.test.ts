/**
 * Static stability end to end: the env-gated chain on the instance role (the fake IMDSv2, the SDK's own
 * provider), behind a refresher; IMDS fails from before the first refresh until past the expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRefresher } from "../../src/refresh/index.js";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";
import { capturingLogger } from "../support/capturing-logger.js";
import { sleep } from "./e2e-helpers.js";

let fake: FakeAws;
let restoreEnv: () => void;

beforeAll(async () => {
  fake = await startFakeAws({ imds: { credentialLifetimeSeconds: 4 } });
  restoreEnv = isolateEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.imds.endpoint });
  delete process.env.AWS_EC2_METADATA_DISABLED;
});
afterAll(async () => {
  restoreEnv?.();
  await fake?.close();
});

describe("static stability on the instance role", () => {
  it("IMDS down through the expiry: the instance role's credentials stay in use, logged and in status(); renewed once IMDS is back", async () => {
    const logger = capturingLogger();
    const chain = fromEnvGatedChain({ env: { APP_ENV: "production", AWS_REGION: fake.region, AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.imds.endpoint } });
    const credentials = createRefresher(chain, { logger, backoff: { initialDelayMs: 200, maxDelayMs: 400 } });
    try {
      await credentials.ready;
      const held = await credentials();
      fake.imds.faults.failNext(Number.POSITIVE_INFINITY, { status: 500, code: "InternalError", message: "IMDS down (test)" });
      // Past the expiry (4 s from issue) by a good margin.
      await sleep(held.expiration!.getTime() - Date.now() + 1_000);

      const failures: unknown[] = [];
      for (let i = 0; i < 20; i++) {
        const c = await credentials().catch((e: unknown) => failures.push(e));
        if (typeof c === "object" && c !== null) expect((c as { accessKeyId: string }).accessKeyId).toBe(held.accessKeyId);
      }
      expect(failures).toEqual([]);
      expect(credentials.status()).toMatchObject({ state: "degraded", staticStability: { since: held.expiration } });
      expect(logger.lines.some((l) => l.level === "warn" && /static stability/.test(l.text))).toBe(true);

      fake.imds.faults.restore();
      fake.imds.rotateCredentials();
      await sleep(1_000);
      expect((await credentials()).accessKeyId).not.toBe(held.accessKeyId);
      expect(credentials.status().staticStability).toBeUndefined();
    } finally {
      credentials.stop();
    }
  }, 20_000);
});
