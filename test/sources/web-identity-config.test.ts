import { describe, expect, it } from "vitest";
import { resolveWebIdentityConfig } from "../../src/sources/web-identity-config.js";

const host = { hostname: "orders-7d9f-x2k4p", random: "abc123" };
const ENV = {
  AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/orders",
  AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
  AWS_REGION: "eu-west-1",
};

describe("resolveWebIdentityConfig", () => {
  it("reads the SDK's variables, with a default session name from the host", () => {
    const result = resolveWebIdentityConfig({}, ENV, host);
    expect(result).toEqual({
      ok: true,
      config: {
        roleArn: { arn: ENV.AWS_ROLE_ARN, partition: "aws", accountId: "123456789012", roleName: "orders" },
        roleArnFrom: "AWS_ROLE_ARN",
        tokenFile: ENV.AWS_WEB_IDENTITY_TOKEN_FILE,
        tokenFileFrom: "AWS_WEB_IDENTITY_TOKEN_FILE",
        sessionName: "orders-7d9f-x2k4p-abc123",
        sessionNameFrom: "default (host name + random suffix)",
        region: "eu-west-1",
        regionFrom: "AWS_REGION",
        useFipsEndpoint: false,
        customEndpoint: undefined,
      },
    });
  });

  it("lets options win over the environment", () => {
    const result = resolveWebIdentityConfig(
      { roleArn: "arn:aws:iam::210987654321:role/other", webIdentityTokenFile: "/tmp/t", roleSessionName: "mine", region: "us-east-1", useFipsEndpoint: true, endpoint: "http://127.0.0.1:1234" },
      { ...ENV, AWS_ROLE_SESSION_NAME: "env-name", AWS_USE_FIPS_ENDPOINT: "false" },
      host,
    );
    expect(result).toMatchObject({
      ok: true,
      config: { roleArn: { accountId: "210987654321" }, tokenFile: "/tmp/t", sessionName: "mine", region: "us-east-1", useFipsEndpoint: true, customEndpoint: "http://127.0.0.1:1234/" },
    });
  });

  it("takes AWS_ROLE_SESSION_NAME and AWS_USE_FIPS_ENDPOINT from the environment", () => {
    expect(resolveWebIdentityConfig({}, { ...ENV, AWS_ROLE_SESSION_NAME: "batch-7", AWS_USE_FIPS_ENDPOINT: "true" }, host)).toMatchObject({
      ok: true,
      config: { sessionName: "batch-7", sessionNameFrom: "AWS_ROLE_SESSION_NAME", useFipsEndpoint: true },
    });
  });

  it("is 'not configured' when neither role nor token file is set, saying how to set them up", () => {
    const result = resolveWebIdentityConfig({}, { AWS_REGION: "eu-west-1" }, host);
    expect(result).toMatchObject({ ok: false, configured: false });
    if (!result.ok) {
      expect(result.problem).toContain("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set");
      expect(result.problem).toContain("eks.amazonaws.com/role-arn");
    }
  });

  it("names both variables, and which half is missing or empty, when half configured: configured (an error), not skipped", () => {
    const noFile = resolveWebIdentityConfig({}, { AWS_ROLE_ARN: ENV.AWS_ROLE_ARN }, host);
    expect(noFile).toMatchObject({
      ok: false,
      configured: true,
      problem: expect.stringContaining("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE (or the webIdentityTokenFile option) is not set"),
    });
    const emptyFile = resolveWebIdentityConfig({}, { AWS_ROLE_ARN: ENV.AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: " " }, host);
    expect(emptyFile).toMatchObject({ ok: false, configured: true, problem: expect.stringContaining("AWS_WEB_IDENTITY_TOKEN_FILE (or the webIdentityTokenFile option) is empty") });
    const noRole = resolveWebIdentityConfig({ webIdentityTokenFile: "/t" }, {}, host);
    expect(noRole).toMatchObject({
      ok: false,
      configured: true,
      problem: expect.stringContaining("the webIdentityTokenFile option is set but AWS_ROLE_ARN (or the roleArn option) is not set"),
    });
    const emptyRole = resolveWebIdentityConfig({}, { AWS_ROLE_ARN: "", AWS_WEB_IDENTITY_TOKEN_FILE: "/t" }, host);
    expect(emptyRole).toMatchObject({ ok: false, configured: true, problem: expect.stringContaining("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN (or the roleArn option) is empty") });
    for (const result of [noFile, emptyFile, noRole, emptyRole]) {
      if (!result.ok) expect(result.problem).toContain("needs both AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, or neither");
    }
    // Both blank is "neither": skipped, like both unset.
    expect(resolveWebIdentityConfig({}, { AWS_ROLE_ARN: "", AWS_WEB_IDENTITY_TOKEN_FILE: "" }, host)).toMatchObject({ ok: false, configured: false });
  });

  it("reports configured-but-broken settings precisely", () => {
    expect(resolveWebIdentityConfig({}, { ...ENV, AWS_ROLE_ARN: "orders" }, host)).toMatchObject({
      ok: false,
      configured: true,
      problem: 'AWS_ROLE_ARN is "orders", which is not an IAM role ARN (expected arn:aws:iam::123456789012:role/name)',
    });
    expect(resolveWebIdentityConfig({}, { ...ENV, AWS_REGION: undefined }, host)).toMatchObject({ ok: false, configured: true, problem: expect.stringContaining("no region is configured") });
    expect(resolveWebIdentityConfig({}, { ...ENV, AWS_ROLE_SESSION_NAME: "has spaces" }, host)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('AWS_ROLE_SESSION_NAME "has spaces" is not a valid role session name'),
    });
    expect(resolveWebIdentityConfig({ endpoint: "http://sts.internal:8080" }, ENV, host)).toMatchObject({ ok: false, problem: expect.stringContaining("allowInsecureEndpoint") });
  });
});
