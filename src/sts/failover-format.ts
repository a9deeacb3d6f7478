/**
 * One line per transport for logs, `describe()` details and `awscreds doctor`: where STS calls go and each
 * breaker's state. Pure.
 */
import type { StsEndpointStatus } from "./failover.js";

/**
 * `eu-west-1 (primary) open until 2025-10-20T07:00:30.000Z after 3 failures; eu-central-1 closed`.
 *
 * @example
 * ```ts
 * formatBreakers(provider.stsStatus()!.endpoints);
 * ```
 */
export function formatBreakers(endpoints: readonly StsEndpointStatus[]): string {
  return endpoints
    .map((e) => {
      const role = e.role === "primary" ? " (primary)" : "";
      const failures = e.consecutiveFailures > 0 ? ` after ${e.consecutiveFailures} failure${e.consecutiveFailures === 1 ? "" : "s"}` : "";
      const state = e.breaker === "open" && e.reopensAt ? `open until ${e.reopensAt.toISOString()}` : e.breaker;
      return `${e.region}${role} ${state}${failures}`;
    })
    .join("; ");
}
