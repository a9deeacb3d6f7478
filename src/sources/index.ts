/**
 * Where credentials come from: the APP_ENV-gated chain and regional-STS web identity.
 */
export { fromEnvGatedChain } from "./chain.js";
export type { EnvGatedChainOptions, EnvGatedChainProvider } from "./chain.js";
export { fromRegionalWebIdentity } from "./web-identity.js";
export type { RegionalWebIdentityOptions, RegionalWebIdentityProvider, WebIdentityDescription } from "./web-identity.js";
export { fromRegionalAssumeRole } from "./assume-role.js";
export type { AssumeRoleDescription, AssumeRoleSpec, AssumeRoleTransportOptions, RegionalAssumeRoleOptions, RegionalAssumeRoleProvider } from "./assume-role.js";
export { STS_ASSUME_ROLE_LIMITS } from "../sts/limits.js";
export { formatDescription } from "./describe.js";
export type { ChainDescription, SourceName, SourceReport, SourceState } from "./describe.js";
export { DEFAULT_DEPLOYED_ENVS } from "./app-env.js";
export type { AppMode } from "./app-env.js";
export type { EnvVars } from "../shared/env.js";
export type { ContainerSourceOptions } from "./container.js";
export type { InstanceMetadataSourceOptions } from "./instance-metadata.js";
export type { RetryPolicy } from "../sts/retry.js";
