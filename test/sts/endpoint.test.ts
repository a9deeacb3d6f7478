import { describe, expect, it } from "vitest";
import { partition } from "@aws-sdk/core/client";
import { STSClient } from "@aws-sdk/client-sts";
import { checkCustomEndpoint, isLoopbackHost } from "../../src/sts/custom-endpoint.js";
import { loadSdkPartitions } from "../../src/sts/partitions.js";
import { checkRegionName, resolveStsRegion } from "../../src/sts/region.js";
import { regionalStsEndpoint, type PartitionLookup } from "../../src/sts/endpoint.js";

const REGIONS = [
  "us-east-1",
  "eu-west-1",
  "ap-southeast-7",
  "mx-central-1",
  "cn-north-1",
  "cn-northwest-1",
  "us-gov-west-1",
  "us-gov-east-1",
  "us-iso-east-1",
  "us-isob-east-1",
  "eu-isoe-west-1",
  "us-isof-south-1",
  "eusc-de-east-1",
  "xx-future-1",
];

describe("regionalStsEndpoint", () => {
  it("gives sts.<region>.<partition DNS suffix>, us-east-1 included", async () => {
    const partitionOf = await loadSdkPartitions();
    expect(regionalStsEndpoint("us-east-1", { partitionOf })).toEqual({ ok: true, endpoint: "https://sts.us-east-1.amazonaws.com", partition: "aws" });
    expect(regionalStsEndpoint("eu-west-1", { partitionOf })).toMatchObject({ endpoint: "https://sts.eu-west-1.amazonaws.com" });
    expect(regionalStsEndpoint("cn-north-1", { partitionOf })).toEqual({ ok: true, endpoint: "https://sts.cn-north-1.amazonaws.com.cn", partition: "aws-cn" });
    expect(regionalStsEndpoint("us-gov-west-1", { partitionOf })).toMatchObject({ endpoint: "https://sts.us-gov-west-1.amazonaws.com", partition: "aws-us-gov" });
    expect(regionalStsEndpoint("us-iso-east-1", { partitionOf })).toMatchObject({ endpoint: "https://sts.us-iso-east-1.c2s.ic.gov", partition: "aws-iso" });
  });

  it("gives FIPS endpoints, GovCloud's being its regular ones", async () => {
    const partitionOf = await loadSdkPartitions();
    expect(regionalStsEndpoint("us-east-1", { partitionOf, useFipsEndpoint: true })).toMatchObject({ endpoint: "https://sts-fips.us-east-1.amazonaws.com" });
    expect(regionalStsEndpoint("us-gov-west-1", { partitionOf, useFipsEndpoint: true })).toMatchObject({ endpoint: "https://sts.us-gov-west-1.amazonaws.com" });
  });

  it("agrees with the STS client's own endpoint rules (global endpoint off) for every partition", async () => {
    const partitionOf = await loadSdkPartitions();
    const client = new STSClient({ region: "us-east-1" });
    try {
      for (const region of REGIONS) {
        for (const fips of [false, true]) {
          const ours = regionalStsEndpoint(region, { partitionOf, useFipsEndpoint: fips });
          const sdk = client.config.endpointProvider({ Region: region, UseFIPS: fips, UseDualStack: false, UseGlobalEndpoint: false });
          expect(ours.ok, `${region} fips=${fips}`).toBe(true);
          if (ours.ok) expect(`${ours.endpoint}/`, `${region} fips=${fips}`).toBe(sdk.url.href);
        }
      }
    } finally {
      client.destroy();
    }
  });

  it("reads the partition table it is given, and refuses FIPS where a partition has none", () => {
    const table: PartitionLookup = (region) => ({ name: "aws-test", dnsSuffix: `test.${region}.example`, supportsFIPS: false });
    expect(regionalStsEndpoint("zz-1", { partitionOf: table })).toMatchObject({ endpoint: "https://sts.zz-1.test.zz-1.example" });
    expect(regionalStsEndpoint("zz-1", { partitionOf: table, useFipsEndpoint: true })).toEqual({
      ok: false,
      problem: "useFipsEndpoint is set, but partition aws-test (region zz-1) has no FIPS endpoints",
    });
  });

  it("uses the same table as the SDK's partition()", async () => {
    const partitionOf = await loadSdkPartitions();
    for (const region of REGIONS) expect(partitionOf(region).dnsSuffix).toBe(partition(region).dnsSuffix);
  });
});

describe("resolveStsRegion", () => {
  it("takes the option, then AWS_REGION, then AWS_DEFAULT_REGION", () => {
    expect(resolveStsRegion({ region: "eu-west-1", env: { AWS_REGION: "us-east-1" } })).toEqual({ ok: true, region: "eu-west-1", from: "the region option" });
    expect(resolveStsRegion({ env: { AWS_REGION: " eu-central-1 ", AWS_DEFAULT_REGION: "us-east-1" } })).toEqual({ ok: true, region: "eu-central-1", from: "AWS_REGION" });
    expect(resolveStsRegion({ env: { AWS_REGION: "", AWS_DEFAULT_REGION: "us-west-2" } })).toEqual({ ok: true, region: "us-west-2", from: "AWS_DEFAULT_REGION" });
  });

  it("has no default: a missing region is an error naming the variables", () => {
    const result = resolveStsRegion({ env: {} });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toContain("Set AWS_REGION");
      expect(result.problem).toContain("AWS_DEFAULT_REGION");
      expect(result.problem).toContain("global STS endpoint is never used");
    }
  });

  it("refuses the global pseudo-region, FIPS pseudo-regions and non-region strings", () => {
    expect(resolveStsRegion({ env: { AWS_REGION: "aws-global" } })).toMatchObject({ ok: false, problem: expect.stringContaining("always called regionally") });
    expect(resolveStsRegion({ env: { AWS_REGION: "fips-us-east-1" } })).toMatchObject({
      ok: false,
      problem: expect.stringContaining("Set the real region (e.g. us-east-1) and pass useFipsEndpoint: true"),
    });
    expect(resolveStsRegion({ region: "evil.com/x" , env: {} })).toMatchObject({ ok: false, problem: expect.stringContaining("not a region name") });
  });

  it("takes only a fips- prefix or a -fips suffix for a FIPS pseudo-region, not fips inside a name", () => {
    expect(checkRegionName("us-east-1-fips", "AWS_REGION")).toMatchObject({ ok: false, problem: expect.stringContaining("(e.g. us-east-1)") });
    for (const name of ["xx-fips-1", "xx-1-fipsy"]) expect(checkRegionName(name, "AWS_REGION"), name).toEqual({ ok: true, region: name, from: "AWS_REGION" });
    // The suggested real region drops the suffix only, not a fips inside the name.
    expect(checkRegionName("xx-fips-1-fips", "AWS_REGION")).toMatchObject({ ok: false, problem: expect.stringContaining("(e.g. xx-fips-1)") });
  });
});

describe("checkCustomEndpoint", () => {
  it("accepts https anywhere and http on loopback only", () => {
    expect(checkCustomEndpoint("https://vpce-123.sts.eu-west-1.vpce.amazonaws.com", {})).toEqual({ ok: true, endpoint: "https://vpce-123.sts.eu-west-1.vpce.amazonaws.com/" });
    for (const url of ["http://127.0.0.1:4566", "http://localhost:4566", "http://[::1]:4566"]) expect(checkCustomEndpoint(url, {}).ok).toBe(true);
    const refused = checkCustomEndpoint("http://localstack:4566", {});
    expect(refused).toMatchObject({ ok: false, problem: expect.stringContaining("allowInsecureEndpoint: true") });
    expect(checkCustomEndpoint("http://localstack:4566", { allowInsecureEndpoint: true }).ok).toBe(true);
  });

  it("refuses non-URLs, other schemes and embedded credentials", () => {
    expect(checkCustomEndpoint("sts.eu-west-1.amazonaws.com", {})).toMatchObject({ ok: false, problem: expect.stringContaining("is not a URL") });
    expect(checkCustomEndpoint("ftp://x", {})).toMatchObject({ ok: false });
    expect(checkCustomEndpoint("https://user:pw@x", {})).toMatchObject({ ok: false, problem: expect.stringContaining("user name or password") });
    // A user name alone, or a password alone, is user info too.
    for (const url of ["https://user@x", "https://:pw@x"]) expect(checkCustomEndpoint(url, {}), url).toMatchObject({ ok: false, problem: expect.stringContaining("user name or password") });
  });

  it("another scheme is refused even on loopback or with allowInsecureEndpoint: that option is for plain http only", () => {
    for (const [url, init] of [["ftp://localhost/", {}], ["ftp://x/", { allowInsecureEndpoint: true }]] as const) {
      expect(checkCustomEndpoint(url, init), url).toEqual({ ok: false, problem: `the endpoint option "${url}" must be an https:// (or loopback http://) URL` });
    }
  });

  it("trims white space the URL parser keeps (a no-break space pasted around the value)", () => {
    expect(checkCustomEndpoint("\u00a0https://sts.example.com\u00a0", {})).toEqual({ ok: true, endpoint: "https://sts.example.com/" });
  });

  it("plain http to a host that only starts like 127.x.y.z is not loopback", () => {
    expect(checkCustomEndpoint("http://127.0.0.1.evil.example:4566", {})).toMatchObject({ ok: false, problem: expect.stringContaining("plain http to another host") });
  });

  it("knows loopback hosts", () => {
    expect(["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "api.localhost"].every(isLoopbackHost)).toBe(true);
    expect(["10.0.0.1", "127.0.0.256", "localhost.example.com", "0.0.0.0"].some(isLoopbackHost)).toBe(false);
  });

  it("loopback: all of 127.0.0.0/8 (octets of 1 to 3 digits, up to 255) and ::1 written in full", () => {
    for (const host of ["127.100.200.254", "127.255.255.255", "[0:0:0:0:0:0:0:1]"]) expect(isLoopbackHost(host), host).toBe(true);
    expect(checkCustomEndpoint("http://127.10.20.30:4566", {})).toEqual({ ok: true, endpoint: "http://127.10.20.30:4566/" });
  });

  it("loopback: the whole host must match, not a part of it", () => {
    // Brackets are stripped only when they enclose the whole host; a 127.x address must be the whole host.
    for (const host of ["localhost[]", "[]localhost", "x127.0.0.1", "127.0.0.1.evil.example"]) expect(isLoopbackHost(host), host).toBe(false);
  });
});
