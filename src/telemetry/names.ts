/**
 * Metric, span and attribute names. They are a contract (DESIGN.md, "Telemetry"): dashboards and alerts
 * are built on them, so a rename is a breaking change.
 */

/** The instrumentation scope of every meter and tracer awscreds uses. */
export const SCOPE_NAME = "awscreds";

export const METRIC = {
  refreshDuration: "awscreds.credentials.refresh.duration",
  ttl: "awscreds.credentials.ttl",
  staleServed: "awscreds.credentials.stale_served",
  stsRequests: "awscreds.sts.requests",
  stsFailovers: "awscreds.sts.failovers",
  roleCacheSize: "awscreds.role_cache.size",
  roleCacheRequests: "awscreds.role_cache.requests",
  roleCacheEvictions: "awscreds.role_cache.evictions",
  stsBudgetShared: "awscreds.sts_budget.shared",
  stsBudgetEvents: "awscreds.sts_budget.events",
  consumedMessages: "messaging.client.consumed.messages",
  processDuration: "messaging.process.duration",
  operationDuration: "messaging.client.operation.duration",
} as const;

export const ATTR = {
  provider: "awscreds.provider",
  source: "awscreds.source",
  refreshReason: "awscreds.refresh.reason",
  outcome: "outcome",
  errorType: "error.type",
  rpcSystem: "rpc.system",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
  serverAddress: "server.address",
  awsRequestId: "aws.request_id",
  failedAddress: "awscreds.sts.failed_address",
  result: "result",
  messagingSystem: "messaging.system",
  destination: "messaging.destination.name",
  operationName: "messaging.operation.name",
  operationType: "messaging.operation.type",
  messageId: "messaging.message.id",
} as const;

export const SPAN = {
  refresh: "awscreds refresh",
} as const;

/** Histogram buckets (seconds) for refreshes and message handling: 5 ms to 60 s. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
