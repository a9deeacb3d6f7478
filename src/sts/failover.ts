/**
 * The failover state of one STS transport: its regions (primary first), a circuit breaker per regional
 * endpoint, the endpoint in use, and the log lines on failover and recovery. The decisions are the pure
 * functions of `breaker.ts` and `failover-route.ts`; this holds their state between calls.
 */
import type { Logger } from "../shared/logger.js";
import { stsErrorCode } from "./retry.js";
import { breakerPhase, closedBreaker, recordFailure, recordNeutral, recordSuccess, reopensAt, type BreakerPhase, type BreakerPolicy, type BreakerState } from "./breaker.js";
import type { FailoverOutcome } from "./failover-kind.js";
import { chooseRegion } from "./failover-route.js";

/** One regional endpoint as `describe()` and `status()` report it. JSON-safe, no secrets. */
export interface StsEndpointStatus {
  region: string;
  /** The URL; undefined until resolved (the regional ones are derived on the first call). */
  endpoint: string | undefined;
  /** `primary` (the workload's region) or `failover`. */
  role: "primary" | "failover";
  /** `closed` (in use when its turn comes), `open` (skipped until `reopensAt`), `half-open` (one call may probe it). */
  breaker: BreakerPhase;
  /** Retryable failures in a row. */
  consecutiveFailures: number;
  /** When an open breaker lets a probe through. */
  reopensAt?: Date;
}

/** Where STS calls go now, and every breaker. */
export interface StsFailoverStatus {
  /** The endpoint that answered last (the primary's before any call). */
  endpointInUse: string | undefined;
  /** Its region. */
  regionInUse: string;
  /** Whether calls are being served by a failover region. */
  failedOver: boolean;
  /** Primary first, then the failover regions in order. */
  endpoints: StsEndpointStatus[];
}

/** Reported to `onEvent` (the telemetry's `awscreds.sts.failovers` counter hangs off `failover`). */
export interface FailoverEvent {
  type: "failover" | "recovery" | "breaker-open";
  region: string;
  endpoint: string;
  /** For `failover` and `recovery`: where calls went before. */
  fromRegion?: string;
  /** For `failover` and `recovery`: the endpoint calls went to before. */
  fromEndpoint?: string;
}

/** A call in flight: where it went, and whether it is a half-open probe. */
export interface RoutedCall {
  index: number;
  region: string;
  probe: boolean;
}

export interface FailoverInit {
  /** Primary first. */
  regions: readonly string[];
  policy: BreakerPolicy;
  logger: Logger;
  /** Who uses the transport, for log lines: `Web identity`, `Assume role`. */
  label: string;
  now?: () => number;
  onEvent?: (event: FailoverEvent) => void;
}

export interface Failover {
  readonly regions: readonly string[];
  /** Where the next attempt goes, `undefined` when this round has tried every region it may. */
  choose(tried: ReadonlySet<number>): RoutedCall | undefined;
  /** Records the outcome of a call routed by `choose` (`success`, or how it failed). */
  settle(call: RoutedCall, outcome: "success" | FailoverOutcome, error?: unknown): void;
  /** Sets the URL of a region's endpoint once it is resolved. */
  setEndpoint(index: number, endpoint: string): void;
  endpoint(index: number): string | undefined;
  status(): StsFailoverStatus;
}

/** What a failure was, for a log line: its kind and AWS code, never its message (which may echo input). */
function failureLabel(error: unknown): string {
  const code = stsErrorCode(error) ?? (typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : undefined);
  return code ?? "error";
}

/**
 * The failover state of a transport.
 *
 * @example
 * ```ts
 * const failover = createFailover({ regions: ["eu-west-1", "eu-central-1"], policy: breakerPolicy(30_000), logger: console, label: "Web identity" });
 * const call = failover.choose(new Set())!; // { index: 0, region: "eu-west-1", probe: false }
 * failover.settle(call, "success");
 * ```
 */
export function createFailover(init: FailoverInit): Failover {
  const { regions, policy, logger, label } = init;
  const now = init.now ?? Date.now;
  let breakers: BreakerState[] = regions.map(() => closedBreaker(policy));
  const endpoints: (string | undefined)[] = regions.map(() => undefined);
  let inUse = 0;
  const name = (index: number): string => endpoints[index] ?? `STS in ${regions[index]}`;
  const emit = (event: FailoverEvent): void => {
    try {
      init.onEvent?.(event);
    } catch {
      // A listener's failure is not the caller's.
    }
  };

  return {
    regions,
    choose(tried) {
      const choice = chooseRegion(breakers, tried, now());
      if (choice === undefined) return undefined;
      breakers = choice.breakers;
      return { index: choice.index, region: regions[choice.index]!, probe: choice.probe };
    },
    settle(call, outcome, error) {
      const before = breakers[call.index]!;
      const next = [...breakers];
      if (outcome === "success" || outcome === "answered") {
        next[call.index] = recordSuccess(policy);
      } else if (outcome === "endpoint-failed") {
        next[call.index] = recordFailure(before, now(), policy, call.probe);
      } else {
        next[call.index] = recordNeutral(before, call.probe);
      }
      breakers = next;
      const after = next[call.index]!;
      if (after.open && (!before.open || call.probe) && regions.length > 1) {
        const seconds = Math.round(after.cooldownMs / 100) / 10;
        logger.warn(
          `awscreds: ${label}: ${name(call.index)} failed ${after.consecutiveFailures} time(s) in a row (last: ${failureLabel(error)}); ` +
            `skipping it for ${seconds} s, then one call will probe it`,
        );
        emit({ type: "breaker-open", region: call.region, endpoint: name(call.index) });
      }
      if (outcome !== "success" || call.index === inUse) return;
      const from = inUse;
      inUse = call.index;
      if (call.index === 0) {
        logger.info(`awscreds: ${label}: STS recovered: calls are back on ${name(0)} (primary region ${regions[0]}), after ${name(from)} served them`);
        emit({ type: "recovery", region: regions[0]!, endpoint: name(0), fromRegion: regions[from], fromEndpoint: name(from) });
      } else {
        logger.warn(
          `awscreds: ${label}: STS failover: calls now go to ${name(call.index)} (${regions[call.index]}), because ${name(from)} is failing; ` +
            `credentials from any regional STS endpoint are valid in every region. The primary is probed again after the cool-down`,
        );
        emit({ type: "failover", region: call.region, endpoint: name(call.index), fromRegion: regions[from], fromEndpoint: name(from) });
      }
    },
    setEndpoint(index, endpoint) {
      endpoints[index] = endpoint;
    },
    endpoint: (index) => endpoints[index],
    status() {
      const at = now();
      return {
        endpointInUse: endpoints[inUse],
        regionInUse: regions[inUse]!,
        failedOver: inUse !== 0,
        endpoints: regions.map((region, i): StsEndpointStatus => {
          const b = breakers[i]!;
          const reopen = reopensAt(b);
          return {
            region,
            endpoint: endpoints[i],
            role: i === 0 ? "primary" : "failover",
            breaker: breakerPhase(b, at),
            consecutiveFailures: b.consecutiveFailures,
            ...(reopen !== undefined && { reopensAt: new Date(reopen) }),
          };
        }),
      };
    },
  };
}
