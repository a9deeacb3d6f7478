/**
 * One AssumeRole fetch on the shared STS transport, signed with the source's credentials: the shell that
 * `fromRegionalAssumeRole` and the role cache both use.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { redactText } from "../shared/redact-error.js";
import { toSafeCredentials, type SafeCredentials } from "../shared/safe-credentials.js";
import { describeStsFailure } from "../sts/failure.js";
import { chainedDuration, STS_ASSUME_ROLE_LIMITS } from "../sts/limits.js";
import type { StsFailureKind } from "../sts/retry.js";
import { StsCallFailure, type StsTransport } from "../sts/transport.js";
import { assumeRoleAdvice } from "./assume-role-advice.js";
import type { AssumeRoleRequest } from "./assume-role-config.js";
import { credentialsError, messageOf } from "../shared/errors.js";

export interface AssumeRoleFetchInit {
  transport: StsTransport;
  request: AssumeRoleRequest;
  source: AwsCredentialIdentityProvider;
  logger: Logger;
  /** Called with each fetch's finding: whether the source credentials were a role session. */
  onRoleChaining?: (chaining: boolean, clampedFrom: number | undefined) => void;
  /** Which failures this fetch may retry itself (the cache leaves throttling to its rate budget). */
  retryable?: (kind: StsFailureKind) => boolean;
}

async function signingCredentials(init: AssumeRoleFetchInit): Promise<AwsCredentialIdentity> {
  try {
    return await init.source();
  } catch (error) {
    throw credentialsError(`Assume role (${init.request.role.arn}): the source credentials that sign AssumeRole could not be resolved: ${messageOf(error)}`, {
      tryNextLink: false,
      logger: init.logger,
      cause: error,
    });
  }
}

/**
 * Assumes the role once (with the transport's retries). Role chaining is detected per fetch from the
 * source credentials (a session token means they are a session) and clamps `durationSeconds` to 3600.
 *
 * @throws CredentialsProviderError (`tryNextLink: false`) saying what failed and what to check; its
 * `cause` is the redacted STS error, whose `name` is STS's error code.
 *
 * @example
 * ```ts
 * const credentials = await fetchAssumedRole({ transport, request, source, logger });
 * ```
 */
export async function fetchAssumedRole(init: AssumeRoleFetchInit): Promise<SafeCredentials> {
  const { request, transport, logger } = init;
  let chaining = false;
  let signer: AwsCredentialIdentity | undefined;
  let output;
  try {
    output = await transport.call(
      "AssumeRole",
      async () => {
        signer = await signingCredentials(init);
        chaining = typeof signer.sessionToken === "string" && signer.sessionToken.length > 0;
        const duration = chainedDuration(request.durationSeconds, chaining);
        init.onRoleChaining?.(chaining, duration.clamped ? request.durationSeconds : undefined);
        const tags = request.tags === undefined ? undefined : Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
        return {
          credentials: signer,
          input: {
            RoleArn: request.role.arn,
            RoleSessionName: request.roleSessionName,
            ExternalId: request.externalId,
            DurationSeconds: duration.durationSeconds,
            Policy: request.policy,
            PolicyArns: request.policyArns?.map(({ arn }) => ({ arn })),
            Tags: tags,
            TransitiveTagKeys: request.transitiveTagKeys,
            SourceIdentity: request.sourceIdentity,
          },
        };
      },
      init.retryable ? { retryable: init.retryable } : undefined,
    );
  } catch (failure) {
    if (!(failure instanceof StsCallFailure)) throw failure;
    const context = { operation: "AssumeRole", roleArn: request.role.arn, endpoint: failure.endpoint, region: transport.region, attempts: failure.attempts };
    const sent = chainedDuration(request.durationSeconds, chaining).durationSeconds;
    const advice = assumeRoleAdvice({ roleArn: request.role.arn, externalId: request.externalId, durationSeconds: sent, roleChaining: chaining });
    // Should STS ever echo the signing secrets, they are cut out of the message as out of the cause.
    const secrets = [signer?.secretAccessKey, signer?.sessionToken];
    throw credentialsError(redactText(describeStsFailure(failure.error, failure.kind, context, advice), secrets), {
      tryNextLink: false,
      logger,
      cause: failure.error,
      secrets,
    });
  }
  const c = output.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw credentialsError(`Assume role: STS at ${transport.endpoint()} answered AssumeRole for ${request.role.arn} without credentials.`, { tryNextLink: false, logger });
  }
  logger.debug(`awscreds: assumed ${request.role.arn} as session ${request.roleSessionName} via ${transport.endpoint()}${c.Expiration ? `, expires ${c.Expiration.toISOString()}` : ""}`);
  return toSafeCredentials({
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    accountId: request.role.accountId,
    ...(c.Expiration && { expiration: c.Expiration }),
  });
}

/** The log line for a clamp, said once per provider (or cache). */
export function clampMessage(roleArn: string, requested: number): string {
  const max = STS_ASSUME_ROLE_LIMITS.roleChainingMaxSeconds;
  return `awscreds: assuming ${roleArn} with role-session credentials (role chaining): STS allows at most ${max} s, so durationSeconds ${requested} is sent as ${max}`;
}
