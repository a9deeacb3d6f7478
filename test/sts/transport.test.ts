/**
 * The shared STS transport, real STS client against the fake: one client per endpoint signs concurrent
 * calls each with its own credentials; the seam (choose an endpoint, send once) is exercised through call().
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/shared/logger.js";
import { createStsTransport, StsCallFailure } from "../../src/sts/transport.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { watchClientSockets } from "../sources/support/sockets.js";

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(() => fake.close());

const transport = () =>
  createStsTransport({ region: fake.region, useFipsEndpoint: false, customEndpoint: `${fake.sts.endpoint}/`, logger: silentLogger, label: "Assume role", retry: { baseDelayMs: 1 } });

describe("createStsTransport", () => {
  it("signs concurrent calls on one client, each with the credentials of its own attempt", async () => {
    const sts = transport();
    const watch = watchClientSockets(Number(new URL(fake.sts.endpoint).port));
    try {
      const signers = Array.from({ length: 8 }, (_, i) => fake.registerStaticKeys({ arn: `arn:aws:iam::${String(111111111100 + i)}:user/u${i}` }));
      fake.sts.clearCalls();
      const out = await Promise.all(
        signers.map((credentials, i) =>
          sts.call("AssumeRole", async () => ({ credentials, input: { RoleArn: `arn:aws:iam::210987654321:role/r${i}`, RoleSessionName: `s${i}` } })),
        ),
      );
      expect(out.every((o) => o.Credentials?.AccessKeyId?.startsWith("ASIA"))).toBe(true);
      const byRole = new Map(fake.sts.calls.map((c) => [c.details.roleArn, c.accessKeyId]));
      signers.forEach((s, i) => expect(byRole.get(`arn:aws:iam::210987654321:role/r${i}`)).toBe(s.accessKeyId));
      expect(sts.endpoint()).toBe(`${fake.sts.endpoint}/`);
      expect(watch.sockets.length).toBeLessThanOrEqual(8); // one keep-alive pool (maxSockets 8)
    } finally {
      watch.stop();
      sts.destroy();
    }
  });

  it("a signed call without credentials fails, and never falls back to another identity", async () => {
    const sts = transport();
    const failure = await sts.call("AssumeRole", async () => ({ input: { RoleArn: "arn:aws:iam::210987654321:role/r", RoleSessionName: "sess" } })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StsCallFailure);
    expect(String((failure as StsCallFailure).error)).toContain("this STS call has no signing credentials");
    sts.destroy();
  });

  it("retries what is retryable, prepares each attempt anew, and reports the attempts", async () => {
    const sts = transport();
    const keys = fake.registerStaticKeys();
    fake.sts.faults.failNext(2, { status: 503, code: "ServiceUnavailable" });
    const attempts: number[] = [];
    await sts.call("AssumeRole", async (attempt) => {
      attempts.push(attempt);
      return { credentials: keys, input: { RoleArn: "arn:aws:iam::210987654321:role/r", RoleSessionName: "sess" } };
    });
    expect(attempts).toEqual([1, 2, 3]);
    fake.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    const failure = (await sts
      .call("AssumeRole", async () => ({ credentials: keys, input: { RoleArn: "arn:aws:iam::210987654321:role/r", RoleSessionName: "sess" } }), { retryable: () => false })
      .catch((e: unknown) => e)) as StsCallFailure;
    expect(failure).toMatchObject({ operation: "AssumeRole", kind: "server", attempts: 1, endpoint: `${fake.sts.endpoint}/` });
    sts.destroy();
  });
});
