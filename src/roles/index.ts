/**
 * Many roles at once: the assume-role cache.
 */
export { createAssumeRoleCache } from "./cache.js";
export type { AssumeRoleCache, AssumeRoleCacheDescription, CachedRoleProvider } from "./cache.js";
export { DEFAULT_ROLE_CACHE_OPTIONS } from "./options.js";
export { STS_REQUESTS_PER_SECOND_QUOTA } from "../shared/token-bucket.js";
export type { AssumeRoleCacheOptions, CachedRoleSpec } from "./options.js";
export type { AssumeRoleCacheStatus, RoleCacheCounters, RoleEntryStatus } from "./status.js";
export type { RoleEntryState } from "./entry.js";
export type { RoleRejection } from "./rejection.js";
export type { RateBudgetStatus } from "../shared/rate-budget.js";
export type { SharedBudgetStatus, StsBudget } from "../shared/sts-budget.js";
