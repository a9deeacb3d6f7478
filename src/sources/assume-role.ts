/**
 * `fromRegionalAssumeRole`: AssumeRole (cross-account, with an ExternalId) on the regional STS transport
 * web identity uses, signed with any source provider.
 */
import { silentLogger } from "../shared/logger.js";
import { classifyStsFailure, type StsFailureKind } from "../sts/retry.js";
import type { StsBudgetLink } from "../shared/sts-budget.js";
import { createStsTransport } from "../sts/transport.js";
import { markSourceKind } from "../telemetry/source-kind.js";
import { resolveAssumeRoleRequest, resolveAssumeRoleTransport } from "./assume-role-config.js";
import { describeAssumeRole } from "./assume-role-describe.js";
import { clampMessage, fetchAssumedRole } from "./assume-role-fetch.js";
import type { RegionalAssumeRoleOptions, RegionalAssumeRoleProvider } from "./assume-role-options.js";
import { resolveEnv } from "../shared/env.js";
import { sessionNameInputs } from "./session-name-inputs.js";
import { defaultSessionName } from "./session-name.js";

export type { AssumeRoleDescription, AssumeRoleSpec, AssumeRoleTransportOptions, RegionalAssumeRoleOptions, RegionalAssumeRoleProvider } from "./assume-role-options.js";

const WHO = "fromRegionalAssumeRole";

/**
 * Credentials from STS AssumeRole, always against `https://sts.<region>.<partition DNS suffix>` (or the
 * given endpoint), signed with `source`. Every input is checked against STS's limits here, at
 * construction, and a bad one throws naming the limit. One STS client (keep-alive, short timeouts) is
 * built on first use; throttling, 5xx and network failures are retried with backoff, AccessDenied and
 * ValidationError never, and their errors say what to check in the trust policy.
 *
 * When the source credentials are themselves a role session (role chaining), STS allows at most 3600 s:
 * a longer `durationSeconds` is sent as 3600 and the log says so once.
 *
 * The provider fetches on every call: put it behind `createRefresher` (one role) or use
 * `createAssumeRoleCache` (many roles).
 *
 * `failoverRegions` (or `AWSCREDS_STS_FAILOVER_REGIONS`) moves a call to another region's STS when the
 * primary's fails with a retryable error, signed for that region; same partition only, checked here.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { createRefresher, fromEnvGatedChain, fromRegionalAssumeRole } from "awscreds";
 *
 * const own = createRefresher(fromEnvGatedChain());
 * const customer = createRefresher(
 *   fromRegionalAssumeRole({ roleArn: "arn:aws:iam::210987654321:role/saas-access", externalId: "acme-7f3k9", source: own }),
 * );
 * const s3 = new S3Client({ credentials: customer });
 * ```
 */
export function fromRegionalAssumeRole(options: RegionalAssumeRoleOptions): RegionalAssumeRoleProvider {
  if (typeof options !== "object" || options === null) throw new TypeError(`${WHO}: options must be an object with roleArn and source`);
  if (typeof options.source !== "function") throw new TypeError(`${WHO}: source must be a credential provider (the credentials that sign AssumeRole)`);
  const logger = options.logger ?? silentLogger;
  const env = resolveEnv(options.env);
  const request = resolveAssumeRoleRequest(
    options,
    () => defaultSessionName(sessionNameInputs()),
    WHO,
  );
  const transport = createStsTransport({ ...resolveAssumeRoleTransport(options, env, WHO), logger, label: "Assume role", telemetry: options.telemetry });
  let roleChaining: boolean | undefined;
  let clampLogged = false;

  const fetch = (retryable?: (kind: StsFailureKind) => boolean) =>
    fetchAssumedRole({
      transport,
      request,
      source: options.source,
      logger,
      ...(retryable && { retryable }),
      onRoleChaining(chaining, clampedFrom) {
        roleChaining = chaining;
        if (clampedFrom !== undefined && !clampLogged) {
          clampLogged = true;
          logger.warn(clampMessage(request.role.arn, clampedFrom));
        }
      },
    });
  const budget = options.stsBudget?.open({ region: transport.region, logger, random: Math.random, label: WHO });
  const provider = (budget === undefined ? () => fetch() : () => fetchThroughSharedBudget(budget, fetch)) as unknown as RegionalAssumeRoleProvider;
  provider.describe = () => describeAssumeRole(request, transport, roleChaining);
  provider.stsStatus = () => transport.status();
  provider.destroy = (): void => {
    budget?.stop(new Error(`${WHO}: the provider was destroyed`));
    transport.destroy();
  };
  provider[Symbol.dispose] = provider.destroy;
  return markSourceKind(provider, "assume-role");
}

/**
 * One fetch through a shared budget: a token first; Throttling is not retried here but slows the fleet
 * (the refresher in front backs off), any other retryable failure is retried by the transport as usual.
 */
async function fetchThroughSharedBudget<T>(budget: StsBudgetLink, fetch: (retryable: (kind: StsFailureKind) => boolean) => Promise<T>): Promise<T> {
  await budget.acquire("demand");
  try {
    const credentials = await fetch((kind) => kind !== "throttling");
    budget.accepted();
    return credentials;
  } catch (error) {
    if (classifyStsFailure((error as { cause?: unknown }).cause) === "throttling") budget.throttled();
    throw error;
  }
}
