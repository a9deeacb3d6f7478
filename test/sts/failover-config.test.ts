/**
 * Failover configuration, pure parts: which failures fail over, the region list (option or
 * AWSCREDS_STS_FAILOVER_REGIONS), the same-partition rule against the SDK's own partition table, the
 * endpoint of each region, the cool-down.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadSdkPartitions } from "../../src/sts/partitions.js";
import type { PartitionLookup } from "../../src/sts/endpoint.js";
import { customEndpoints } from "../../src/sts/endpoint-option.js";
import { failoverOutcome } from "../../src/sts/failover-kind.js";
import { formatBreakers } from "../../src/sts/failover-format.js";
import { failoverCooldown } from "../../src/sts/failover-options.js";
import { resolveFailover } from "../../src/sts/failover-config.js";
import { crossPartitionProblem, FAILOVER_REGIONS_VAR, parseRegionList, resolveFailoverRegions } from "../../src/sts/failover-regions.js";

const sdkError = (name: string, status?: number): Error =>
  Object.assign(new Error(name), { name, ...(status !== undefined && { $metadata: { httpStatusCode: status } }) });
const errno = (code: string): Error => Object.assign(new Error(code), { code });

describe("failoverOutcome", () => {
  it("fails over on 5xx, network errors and timeouts", () => {
    for (const error of [
      sdkError("ServiceUnavailable", 503),
      sdkError("InternalFailure", 500),
      sdkError("SomethingNew", 502),
      errno("ECONNREFUSED"),
      errno("ECONNRESET"),
      errno("ETIMEDOUT"),
      errno("ENOTFOUND"),
      errno("EAI_AGAIN"),
      sdkError("TimeoutError"),
    ]) {
      expect(failoverOutcome(error), error.name + " " + ((error as { code?: string }).code ?? "")).toBe("endpoint-failed");
    }
  });

  it("never fails over on Throttling: the endpoint answered (a quota signal, not an outage)", () => {
    for (const error of [sdkError("Throttling", 400), sdkError("TooManyRequests", 429), sdkError("ThrottlingException", 400)]) {
      expect(failoverOutcome(error), error.name).toBe("answered");
    }
    // Its code alone says the endpoint answered, with no HTTP status on the error.
    expect(failoverOutcome(sdkError("SlowDown"))).toBe("answered");
  });

  it("never fails over on AccessDenied, InvalidIdentityToken, ExpiredToken or validation errors (the same answer everywhere)", () => {
    for (const error of [
      sdkError("AccessDenied", 403),
      sdkError("AccessDeniedException", 403),
      sdkError("InvalidIdentityTokenException", 400),
      sdkError("ExpiredTokenException", 400),
      sdkError("ExpiredToken", 400),
      sdkError("ValidationError", 400),
      sdkError("MalformedPolicyDocumentException", 400),
      sdkError("RegionDisabledException", 403),
      sdkError("IDPCommunicationErrorException", 400),
      // Even a proxy wrapping them in a 5xx does not turn them into an outage.
      sdkError("AccessDenied", 503),
    ]) {
      expect(failoverOutcome(error), error.name).toBe("answered");
    }
  });

  it("leaves errors that say nothing about the endpoint alone", () => {
    expect(failoverOutcome(new Error("a bug"))).toBe("unknown");
    expect(failoverOutcome(errno("ERR_TLS_CERT_ALTNAME_INVALID"))).toBe("unknown");
    expect(failoverOutcome("a string")).toBe("unknown");
  });

  it("every answer that is the same in every region stays, even wrapped in a 5xx", () => {
    for (const code of [
      "AccessDenied",
      "InvalidIdentityToken",
      "ExpiredToken",
      "ValidationError",
      "InvalidParameterValue",
      "MalformedPolicyDocument",
      "PackedPolicyTooLarge",
      "RegionDisabled",
      "InvalidClientTokenId",
      "SignatureDoesNotMatch",
      "IDPRejectedClaim",
      "IDPCommunicationError",
    ]) {
      expect(failoverOutcome(sdkError(code, 503)), code).toBe("answered");
    }
  });

  it("an unknown code: answered when the endpoint sent a status, unknown without one", () => {
    expect(failoverOutcome(sdkError("SomethingNew", 403))).toBe("answered");
    expect(failoverOutcome(sdkError("SomethingNew"))).toBe("unknown");
    expect(failoverOutcome(Object.assign(new Error("x"), { code: 42 }))).toBe("unknown");
  });
});

describe("formatBreakers", () => {
  it("one clause per endpoint: region, primary or not, breaker state, failures counted in the singular or plural", () => {
    const reopensAt = new Date("2026-12-07T02:00:00.000Z");
    expect(
      formatBreakers([
        { region: "eu-west-1", endpoint: undefined, role: "primary", breaker: "open", consecutiveFailures: 3, reopensAt },
        { region: "eu-central-1", endpoint: undefined, role: "failover", breaker: "half-open", consecutiveFailures: 1, reopensAt },
        { region: "eu-north-1", endpoint: undefined, role: "failover", breaker: "closed", consecutiveFailures: 0 },
        { region: "eu-south-1", endpoint: undefined, role: "failover", breaker: "open", consecutiveFailures: 0 },
      ]),
    ).toBe(
      "eu-west-1 (primary) open until 2026-12-07T02:00:00.000Z after 3 failures; eu-central-1 half-open after 1 failure; eu-north-1 closed; eu-south-1 open",
    );
  });
});

describe("failover regions", () => {
  it("parses AWSCREDS_STS_FAILOVER_REGIONS as a comma-separated list", () => {
    expect(parseRegionList(" eu-central-1, eu-north-1 ,,")).toEqual(["eu-central-1", "eu-north-1"]);
    expect(parseRegionList("")).toEqual([]);
    expect(FAILOVER_REGIONS_VAR).toBe("AWSCREDS_STS_FAILOVER_REGIONS");
    expect(resolveFailoverRegions({ option: undefined, env: { AWSCREDS_STS_FAILOVER_REGIONS: "EU-Central-1,eu-north-1" }, primary: "eu-west-1" })).toEqual({
      ok: true,
      regions: ["eu-central-1", "eu-north-1"],
      from: "AWSCREDS_STS_FAILOVER_REGIONS",
    });
  });

  it("takes the option over the variable; [] turns failover off", () => {
    const env = { AWSCREDS_STS_FAILOVER_REGIONS: "eu-north-1" };
    expect(resolveFailoverRegions({ option: ["eu-central-1"], env, primary: "eu-west-1" })).toMatchObject({ regions: ["eu-central-1"], from: "the failoverRegions option" });
    expect(resolveFailoverRegions({ option: [], env, primary: "eu-west-1" })).toMatchObject({ ok: true, regions: [] });
    expect(resolveFailoverRegions({ option: undefined, env: {}, primary: "eu-west-1" })).toEqual({ ok: true, regions: [], from: undefined });
    expect(resolveFailoverRegions({ option: undefined, env: { AWSCREDS_STS_FAILOVER_REGIONS: "  " }, primary: "eu-west-1" })).toEqual({ ok: true, regions: [], from: undefined });
  });

  it("drops the primary and repeats, so one list serves a fleet spread over these regions", () => {
    const env = { AWSCREDS_STS_FAILOVER_REGIONS: "eu-west-1,eu-central-1,eu-west-1,eu-central-1" };
    expect(resolveFailoverRegions({ option: undefined, env, primary: "eu-west-1" })).toMatchObject({ regions: ["eu-central-1"] });
    expect(resolveFailoverRegions({ option: undefined, env, primary: "eu-central-1" })).toMatchObject({ regions: ["eu-west-1"] });
  });

  it("refuses what is not a region name, saying where it came from", () => {
    const bad = resolveFailoverRegions({ option: undefined, env: { AWSCREDS_STS_FAILOVER_REGIONS: "eu-central-1,us-east-1-fips" }, primary: "eu-west-1" });
    expect(bad).toEqual({ ok: false, problem: expect.stringContaining("an entry of AWSCREDS_STS_FAILOVER_REGIONS is the pseudo-region \"us-east-1-fips\"") });
    expect(resolveFailoverRegions({ option: ["aws-global"], env: {}, primary: "eu-west-1" })).toMatchObject({ ok: false, problem: expect.stringContaining("always called regionally") });
    expect(resolveFailoverRegions({ option: ["eu central"], env: {}, primary: "eu-west-1" })).toMatchObject({ ok: false, problem: expect.stringContaining("not a region name") });
    expect(resolveFailoverRegions({ option: ["eu-central-1", 7 as unknown as string], env: {}, primary: "eu-west-1" })).toEqual({
      ok: false,
      problem: "the failoverRegions option must hold region names (strings), got number",
    });
    expect(resolveFailoverRegions({ option: [" eu-central-1 "], env: {}, primary: "eu-west-1" })).toMatchObject({ ok: true, regions: ["eu-central-1"] });
    const notArray = resolveFailoverRegions({ option: "eu-central-1" as unknown as string[], env: {}, primary: "eu-west-1" });
    expect(notArray).toMatchObject({ ok: false, problem: expect.stringContaining("must be an array of region names") });
  });

  describe("same partition only (the SDK's partition table)", () => {
    let partitionOf: PartitionLookup;
    beforeAll(async () => {
      partitionOf = await loadSdkPartitions();
    });

    it("accepts regions of the primary's partition", () => {
      expect(crossPartitionProblem("eu-west-1", ["eu-central-1", "us-east-1", "ap-southeast-2"], partitionOf, "x")).toBeUndefined();
      expect(crossPartitionProblem("us-gov-west-1", ["us-gov-east-1"], partitionOf, "x")).toBeUndefined();
      expect(crossPartitionProblem("cn-north-1", ["cn-northwest-1"], partitionOf, "x")).toBeUndefined();
    });

    it("refuses a GovCloud or China region in an aws list, and says why", () => {
      const gov = crossPartitionProblem("us-east-1", ["us-west-2", "us-gov-west-1"], partitionOf, "the failoverRegions option");
      expect(gov).toBe(
        "the failoverRegions option lists us-gov-west-1, which is in partition aws-us-gov, but the primary region us-east-1 is in aws. " +
          "STS failover stays within one partition: partitions have separate accounts, IAM and STS, so aws-us-gov STS cannot issue " +
          "credentials for this role, nor would they be valid in aws. Remove us-gov-west-1, or list regions of aws only",
      );
      expect(crossPartitionProblem("eu-west-1", ["cn-north-1"], partitionOf, "AWSCREDS_STS_FAILOVER_REGIONS")).toMatch(/^AWSCREDS_STS_FAILOVER_REGIONS lists cn-north-1, which is in partition aws-cn/);
      expect(crossPartitionProblem("cn-north-1", ["eu-west-1"], partitionOf, "x")).toMatch(/eu-west-1, which is in partition aws, but the primary region cn-north-1 is in aws-cn/);
    });
  });
});

describe("the endpoint of each region", () => {
  it("a URL is the primary's only; the failover regions keep their regional endpoints", () => {
    expect(customEndpoints("https://vpce-1.sts.eu-west-1.vpce.amazonaws.com", ["eu-west-1", "eu-central-1"], {})).toEqual({
      ok: true,
      custom: ["https://vpce-1.sts.eu-west-1.vpce.amazonaws.com/", undefined],
    });
    expect(customEndpoints(undefined, ["eu-west-1", "eu-central-1"], {})).toEqual({ ok: true, custom: [undefined, undefined] });
  });

  it("a refused URL is reported as the option's, without a region (it was not asked per region)", () => {
    expect(customEndpoints("http://sts.internal", ["eu-west-1"], {})).toMatchObject({ ok: false, problem: expect.stringMatching(/plain http to another host.*docker compose\)$/) });
  });

  it("a function is asked per region; undefined from it means the regional endpoint", () => {
    const asked: string[] = [];
    const result = customEndpoints((region) => (asked.push(region), region === "eu-central-1" ? `https://sts-vpce.${region}.example.com` : undefined), ["eu-west-1", "eu-central-1"], {});
    expect(asked).toEqual(["eu-west-1", "eu-central-1"]);
    expect(result).toEqual({ ok: true, custom: [undefined, "https://sts-vpce.eu-central-1.example.com/"] });
  });

  it("checks every URL the function gives as strictly as a single one", () => {
    expect(customEndpoints((r) => `http://sts.${r}.internal`, ["eu-west-1"], {})).toMatchObject({ ok: false, problem: expect.stringMatching(/plain http to another host.*\(for region eu-west-1\)$/) });
    expect(customEndpoints((r) => `http://sts.${r}.internal`, ["eu-west-1"], { allowInsecureEndpoint: true })).toMatchObject({ ok: true });
    expect(customEndpoints(() => 42 as unknown as string, ["eu-west-1"], {})).toMatchObject({ ok: false, problem: expect.stringContaining("got number for region eu-west-1") });
    expect(
      customEndpoints(
        () => {
          throw new Error("no such region");
        },
        ["eu-west-1"],
        {},
      ),
    ).toEqual({ ok: false, problem: "the endpoint function threw for region eu-west-1: no such region" });
  });
});

describe("failoverCooldown", () => {
  it("defaults to 30 s and refuses what is not a positive number", () => {
    expect(failoverCooldown({})).toBe(30_000);
    expect(failoverCooldown({ failoverCooldownMs: 250 })).toBe(250);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "1000" as unknown as number]) {
      expect(() => failoverCooldown({ failoverCooldownMs: bad })).toThrow(/failoverCooldownMs must be a positive number of ms/);
    }
  });
});

describe("the same-partition check when the partition table cannot be loaded at construction (a bundle)", () => {
  it("is made on the first call instead, before any request, with the same message", async () => {
    const { createStsTransport } = await import("../../src/sts/transport.js");
    const transport = createStsTransport({
      region: "eu-west-1",
      useFipsEndpoint: false,
      customEndpoint: "http://127.0.0.1:9/",
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      label: "Web identity",
      failover: { regions: ["cn-north-1"], customEndpoints: [undefined], cooldownMs: 1_000, from: "AWSCREDS_STS_FAILOVER_REGIONS", partitionCheckPending: true },
    });
    let prepared = 0;
    const error = await transport
      .call("AssumeRoleWithWebIdentity", async () => {
        prepared += 1;
        return { input: { RoleArn: "arn:aws:iam::123456789012:role/x", RoleSessionName: "s", WebIdentityToken: "t" } };
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(/^Web identity: AWSCREDS_STS_FAILOVER_REGIONS lists cn-north-1, which is in partition aws-cn, but the primary region eu-west-1 is in aws/);
    expect((error as { tryNextLink?: boolean }).tryNextLink).toBe(false); // configured and wrong: the chain stops here
    expect(prepared).toBe(0);
    expect(transport.status().endpoints[0]).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
  });
});

describe("resolveFailover: every mistake at construction, under the provider's name", () => {
  const P = "awscreds: Web identity";
  it("no failover: nothing to check, no partition table needed", () => {
    expect(resolveFailover({}, {}, "eu-west-1", P)).toEqual({ regions: [], customEndpoints: [], cooldownMs: 30_000, from: undefined, partitionCheckPending: false });
  });

  it("regions with their endpoints (a URL stays the primary's; a function is asked per failover region) and the cool-down", () => {
    expect(resolveFailover({ failoverRegions: ["eu-central-1"], failoverCooldownMs: 500, endpoint: "https://vpce.example.com" }, {}, "eu-west-1", P)).toEqual({
      regions: ["eu-central-1"],
      customEndpoints: [undefined],
      cooldownMs: 500,
      from: "the failoverRegions option",
      partitionCheckPending: false,
    });
    expect(resolveFailover({ endpoint: (r) => `https://sts.${r}.example.com` }, { AWSCREDS_STS_FAILOVER_REGIONS: "eu-central-1" }, "eu-west-1", P)).toMatchObject({
      customEndpoints: ["https://sts.eu-central-1.example.com/"],
      from: "AWSCREDS_STS_FAILOVER_REGIONS",
    });
  });

  it("a bad cool-down is a RangeError, a bad region, endpoint or partition a TypeError, each under the prefix", () => {
    const thrown = (run: () => unknown): Error => {
      try {
        run();
      } catch (error) {
        return error as Error;
      }
      throw new Error("expected a throw");
    };
    const cooldown = thrown(() => resolveFailover({ failoverCooldownMs: 0 }, {}, "eu-west-1", P));
    expect(cooldown).toBeInstanceOf(RangeError);
    expect(cooldown.message).toBe(`${P}: failoverCooldownMs must be a positive number of ms, got 0`);
    const region = thrown(() => resolveFailover({ failoverRegions: ["eu central"] }, {}, "eu-west-1", P));
    expect(region).toBeInstanceOf(TypeError);
    expect(region.message).toMatch(new RegExp(`^${P}: an entry of the failoverRegions option .*not a region name.*\\.$`));
    const endpoint = thrown(() => resolveFailover({ failoverRegions: ["eu-central-1"], endpoint: () => "http://sts.internal" }, {}, "eu-west-1", P));
    expect(endpoint).toBeInstanceOf(TypeError);
    expect(endpoint.message).toMatch(new RegExp(`^${P}: .*plain http to another host.*\\(for region eu-central-1\\)\\.$`));
    const partition = thrown(() => resolveFailover({ failoverRegions: ["cn-north-1"] }, {}, "eu-west-1", P));
    expect(partition).toBeInstanceOf(TypeError);
    expect(partition.message).toMatch(new RegExp(`^${P}: the failoverRegions option lists cn-north-1, which is in partition aws-cn.*aws only\\.$`));
  });

  it("an allowed insecure endpoint passes", () => {
    expect(resolveFailover({ failoverRegions: ["eu-central-1"], endpoint: () => "http://sts.internal", allowInsecureEndpoint: true }, {}, "eu-west-1", P).customEndpoints).toEqual(["http://sts.internal/"]);
  });
});
