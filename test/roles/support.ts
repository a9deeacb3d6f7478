/**
 * Shared setup of the role cache tests: the fakes, a SaaS service's own keys, and tenants' roles.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Logger } from "../../src/shared/logger.js";
import type { FakeAws } from "../../src/testing/index.js";

/** The role tenant `n` created in its own account for the service (account 2000000000nn). */
export function tenantRole(n: number): { roleArn: string; externalId: string; tenant: string } {
  const account = String(200_000_000_000 + n);
  return { roleArn: `arn:aws:iam::${account}:role/saas-access`, externalId: `ext-${n}-7f3k9`, tenant: `tenant-${n}` };
}

/** Registers tenants 0..count-1 in the fake STS: each trusts the service's account, with its ExternalId. */
export function registerTenants(fake: FakeAws, count: number, init: { maxSessionDuration?: number } = {}): void {
  for (let n = 0; n < count; n++) {
    const { roleArn, externalId } = tenantRole(n);
    fake.sts.registerRole({ roleArn, externalId, trustedPrincipals: ["123456789012"], ...init });
  }
}

export function serviceKeys(fake: FakeAws): AwsCredentialIdentity {
  return fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/billing-api" });
}

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  return { lines, debug: () => undefined, info: push, warn: push, error: push };
}
