import { describe, expect, it } from "vitest";
import { readContainerSettings } from "../../src/sources/container.js";
import { KUBERNETES_IMDS_REASON, planDeployedSources, type DeployedPlanInput } from "../../src/sources/deployed-plan.js";
import { detectPlatform } from "../../src/sources/platforms.js";
import { readSharedConfigSettings } from "../../src/sources/shared-config.js";

const base = (over: Partial<DeployedPlanInput> = {}): DeployedPlanInput => ({
  env: {},
  webIdentity: { configured: false, problem: "web identity is not configured" },
  sharedConfig: undefined,
  allowInstanceRoleInKubernetes: false,
  imdsEndpoint: "http://169.254.169.254",
  ...over,
  platform: over.platform ?? detectPlatform(over.env ?? {}, "deployed"),
});

describe("planDeployedSources", () => {
  it("lists web identity, container, shared config and instance metadata in that order", () => {
    expect(planDeployedSources(base()).map((p) => [p.source, p.available])).toEqual([
      ["web-identity", false],
      ["container", false],
      ["shared-config", false],
      ["instance-metadata", true],
    ]);
  });

  it("marks a configured web identity available even with a problem, so the problem surfaces", () => {
    const [web] = planDeployedSources(base({ webIdentity: { configured: true, problem: "no region is configured for STS" } }));
    expect(web).toMatchObject({ available: true, reason: "no region is configured for STS" });
  });

  it("turns the instance role off in Kubernetes unless allowed, and when IMDS is disabled", () => {
    const k8s = { KUBERNETES_SERVICE_HOST: "10.0.0.1" };
    expect(planDeployedSources(base({ env: k8s }))[3]).toMatchObject({ available: false, reason: KUBERNETES_IMDS_REASON });
    expect(planDeployedSources(base({ env: k8s, allowInstanceRoleInKubernetes: true }))[3]).toMatchObject({ available: true });
    expect(planDeployedSources(base({ env: { AWS_EC2_METADATA_DISABLED: "TRUE" } }))[3]).toMatchObject({ available: false, reason: "AWS_EC2_METADATA_DISABLED is true" });
  });

  it("includes shared config only when asked", () => {
    const sharedConfig = readSharedConfigSettings({ profile: "svc" }, { HOME: "/home/app" });
    expect(sharedConfig).toEqual({
      profile: "svc",
      profileFrom: "the sharedConfig.profile option",
      credentialsFile: "/home/app/.aws/credentials",
      configFile: "/home/app/.aws/config",
    });
    expect(planDeployedSources(base({ sharedConfig }))[2]).toMatchObject({ available: true, details: { profile: "svc" } });
  });
});

describe("readContainerSettings", () => {
  it("prefers the relative URI (ECS) and never exposes its per-task path or the token", () => {
    const settings = readContainerSettings({
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/task-secret-id",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "secret-token",
    });
    expect(settings).toEqual({
      configured: true,
      from: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      endpoint: "http://169.254.170.2",
      authorization: "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    });
    expect(readContainerSettings({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials", AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/token" })).toMatchObject({
      from: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      authorization: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    });
    expect(readContainerSettings({})).toEqual({ configured: false });
  });
});
