/**
 * The public shape of a role cache: the cache itself, its description, and the provider of one role.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { SdkProviderMarks } from "../shared/sdk-marking.js";
import type { AssumeRoleDescription } from "../sources/assume-role-options.js";
import type { StsEndpointStatus } from "../sts/failover.js";
import type { AttachableClient } from "../refresh/rejection-middleware.js";
import type { CredentialRejection, InvalidationResult } from "../refresh/rejection-target.js";
import type { RoleEntryState } from "./entry.js";
import type { CachedRoleSpec } from "./options.js";
import type { RoleRejection } from "./rejection.js";
import type { AssumeRoleCacheStatus } from "./status.js";

/** A cached role's provider: hand it to any SDK v3 client as `credentials`. */
export type CachedRoleProvider = AwsCredentialIdentityProvider &
  SdkProviderMarks & {
    /** The role, the session parameters, the entry's state and its last rejection by AWS, without secrets. */
    describe(): AssumeRoleDescription & { state: RoleEntryState; lastRejection?: RoleRejection };
    /**
     * AWS rejected `accessKeyId` (default: this role's credentials held): they are never handed out again;
     * unless newer ones are held, one AssumeRole runs, shared by every caller (at most one per
     * `rejectionRefreshIntervalMs`). Never rejects. See `RefreshingProvider.invalidate`.
     */
    invalidate(accessKeyId?: string, rejection?: CredentialRejection): Promise<InvalidationResult>;
    /**
     * Wires a v3 client to this role (`client.config.credentials = provider`) with the recovery from
     * rejected credentials: a request rejected for them is sent again once with new ones. Returns the client.
     *
     * @example
     * ```ts
     * const s3 = roles.provider({ roleArn, externalId }).attach(new S3Client({ region }));
     * ```
     */
    attach<C extends AttachableClient>(client: C): C;
  };

/** What `describe()` of a cache shows: its settings. */
export interface AssumeRoleCacheDescription {
  region: string;
  /** The STS endpoint in use (the primary's, or the failover endpoint that answered last). */
  endpoint?: string;
  /** Failover regions, in order (empty: no failover). */
  failoverRegions: string[];
  /** Whether a failover region is serving the calls now. */
  failedOver: boolean;
  /** Each regional endpoint (primary first) and the state of its circuit breaker. */
  endpoints: StsEndpointStatus[];
  serviceName: string;
  maxEntries: number;
  idleTtlMs: number;
  negativeTtlMs: number;
  stsRequestsPerSecond: number;
  stsBurst: number;
}

export interface AssumeRoleCache {
  /**
   * The provider of one role. The same role spec (same key: role ARN, ExternalId, session name, duration,
   * policy, tags, source identity) gives the same provider object while its entry lives. Throws at once
   * (RangeError naming STS's limit) when the spec is invalid.
   */
  provider(role: CachedRoleSpec): CachedRoleProvider;
  /** Counters, the rate budget and (unless `{ entries: false }`) each entry's state. No secrets. */
  status(options?: { entries?: boolean }): AssumeRoleCacheStatus;
  describe(): AssumeRoleCacheDescription;
  /**
   * Forgets the credentials, cached refusal and backoff of one role (or of all): the next call asks STS.
   * Returns whether an entry was found.
   */
  invalidate(role?: CachedRoleSpec): boolean;
  /** Stops the scheduler, drops every entry, closes the STS client; later calls fail with `RefresherStoppedError`. */
  stop(): void;
  [Symbol.dispose](): void;
}
