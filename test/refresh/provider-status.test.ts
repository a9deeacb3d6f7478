/**
 * What `status()` adds from the source behind a refresher: `identity` only when the source's `identity()` gives a
 * string, and a source whose `identity()` or `stsStatus()` throws never makes `status()` throw or lose its own fields.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createRefresher, type Refresher } from "../../src/refresh/index.js";

const keys = (): AwsCredentialIdentity => ({ accessKeyId: "AKIDSTATUSEXAMPLE", secretAccessKey: "s", expiration: new Date(Date.now() + 3_600_000) });
const made: Refresher[] = [];
afterEach(() => {
  for (const r of made.splice(0)) r.stop();
});

async function refresherOver(extra: Record<string, unknown>): Promise<Refresher> {
  const refresher = createRefresher(Object.assign(async () => keys(), extra), { telemetry: false });
  made.push(refresher);
  await refresher.ready;
  return refresher;
}

describe("status() and the source's identity()", () => {
  it("a string from identity() is reported as is", async () => {
    expect((await refresherOver({ identity: () => "web identity arn:aws:iam::123456789012:role/app" })).status().identity).toBe(
      "web identity arn:aws:iam::123456789012:role/app",
    );
  });

  it("anything else is left out: a number, undefined", async () => {
    for (const value of [42, undefined]) {
      const status = (await refresherOver({ identity: () => value })).status();
      expect(status).not.toHaveProperty("identity");
      expect(status.state).toBe("ready");
    }
  });

  it("an identity() or stsStatus() that throws: status() still answers, with its own fields", async () => {
    const status = (
      await refresherOver({
        identity: () => {
          throw new Error("not settled");
        },
        stsStatus: () => {
          throw new Error("no transport");
        },
      })
    ).status();
    expect(status.state).toBe("ready");
    expect(status).not.toHaveProperty("identity");
    expect(status).not.toHaveProperty("sts");
  });
});
