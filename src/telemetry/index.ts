/**
 * awscreds' OpenTelemetry support: the only folder that touches `@opentelemetry/api` (loaded lazily,
 * optional). Every other module asks for its telemetry object here and calls it with `?.`.
 */
export type { TelemetryOption, TelemetryProviders, TelemetryMeterProvider, TelemetryTracerProvider } from "./options.js";
export { METRIC, ATTR, SPAN, SCOPE_NAME } from "./names.js";
export { errorType } from "./error-type.js";
export { resolveTelemetry } from "./scope.js";
export { credentialsTelemetry, withRefreshTelemetry, CredentialsTelemetry } from "./credentials.js";
export type { CredentialsTelemetryInit } from "./credentials.js";
export { stsTelemetry, withStsTelemetry, StsTelemetry, awsRequestId } from "./sts.js";
export { roleCacheTelemetry, RoleCacheTelemetry, ROLE_CACHE_RESULTS } from "./role-cache.js";
export type { RoleCacheResult } from "./role-cache.js";
export { consumerTelemetry, withProcessTelemetry, ConsumerTelemetry, queueOf } from "./messaging.js";
export type { ConsumerTelemetryInit } from "./messaging.js";
export { producerTraceContext, parseTraceparent, parseXrayTraceHeader, formatTraceparent } from "./trace-context.js";
export type { RemoteTraceContext, SqsMessageLike } from "./trace-context.js";
export { currentTraceHeaders } from "./propagation.js";
export { SOURCE_KIND, markSourceKind, sourceKindOf } from "./source-kind.js";
