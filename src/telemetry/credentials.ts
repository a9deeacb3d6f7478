/**
 * Telemetry of one refreshing provider (refresher, swapper, or a source with its own cache):
 * `awscreds.credentials.refresh.duration` and one `awscreds refresh` span per attempt,
 * `awscreds.credentials.ttl` read from the provider when collected, and
 * `awscreds.credentials.stale_served`, whose increment is the only telemetry on the resolution hot path.
 */
import type { Attributes } from "@opentelemetry/api";
import { ATTR, SPAN } from "./names.js";
import type { CountCell } from "./observed.js";
import type { TelemetryOption } from "./options.js";
import { runInSpan } from "./run-in-span.js";
import { resolveTelemetry, type TelemetryScope } from "./scope.js";

export interface CredentialsTelemetryInit {
  /** `awscreds.provider`: the provider's `name` option. */
  provider: string;
  /** `awscreds.source`: where credentials come from (`web-identity`, `container`, `assume-role`, …). */
  source: string;
}

export class CredentialsTelemetry {
  private stale: CountCell;
  private attributes: Attributes;
  private removeTtl: (() => void) | undefined;

  constructor(
    private readonly scope: TelemetryScope,
    init: CredentialsTelemetryInit,
  ) {
    this.attributes = { [ATTR.provider]: init.provider, [ATTR.source]: init.source };
    this.stale = scope.staleServed.cell(this.attributes);
    scope.instruments(); // registers the observable instruments now, so gauges report before the first event
  }

  /**
   * Hot path: one resolution answered with credentials held while refreshing fails. Adds 1 to a number
   * that `awscreds.credentials.stale_served` reads when collected; no OpenTelemetry call.
   */
  staleServed(): void {
    this.stale.value += 1;
  }

  /** The source changed (a chain settled on one, a swapper built another kind): later reports say so. */
  setSource(source: string): void {
    if (this.attributes[ATTR.source] === source) return;
    this.attributes = { ...this.attributes, [ATTR.source]: source };
    this.stale = this.scope.staleServed.cell(this.attributes);
  }

  /**
   * Reports `awscreds.credentials.ttl` from `expiration(owner)` whenever a reader collects (never in
   * between). `owner` is held weakly; pass a function that reads from its argument, not a closure over it.
   * Calling it again replaces the previous registration.
   */
  observeExpiration<Owner extends object>(owner: Owner, expiration: (owner: Owner) => Date | undefined): void {
    this.removeTtl?.();
    this.removeTtl = this.scope.ttl.add(
      owner,
      (o) => {
        const at = expiration(o);
        return at === undefined ? undefined : (at.getTime() - Date.now()) / 1000;
      },
      () => this.attributes,
    );
  }

  /**
   * Runs one refresh attempt inside an `awscreds refresh` INTERNAL span (a new trace, linked to the
   * caller's span when there is one, so background refreshes do not pile up under whatever request
   * happened to schedule them) and records `awscreds.credentials.refresh.duration`.
   */
  refreshAttempt<T>(reason: string, attempt: () => Promise<T>): Promise<T> {
    const { api } = this.scope;
    const attributes: Attributes = { ...this.attributes, [ATTR.refreshReason]: reason };
    const active = api.context.active();
    const caller = api.trace.getSpanContext(active);
    const span = this.scope.tracer().startSpan(
      SPAN.refresh,
      {
        kind: api.SpanKind.INTERNAL,
        root: true,
        attributes,
        links: caller !== undefined && api.isSpanContextValid(caller) ? [{ context: caller }] : [],
      },
      active,
    );
    return runInSpan(api, span, active, attempt, (end) => {
      const outcome = end.errorType === undefined ? "success" : "failure";
      span.setAttribute(ATTR.outcome, outcome);
      const recorded: Attributes = { ...attributes, [ATTR.outcome]: outcome };
      if (end.errorType !== undefined) recorded[ATTR.errorType] = end.errorType;
      this.scope.instruments()?.refreshDuration.record(end.seconds, recorded);
    });
  }

  /** Stops reporting the TTL gauge (call from `stop()`). Counts already reported stay. Idempotent. */
  close(): void {
    this.removeTtl?.();
    this.removeTtl = undefined;
  }
}

/**
 * The telemetry of one provider, or `undefined` when telemetry is off (`telemetry: false`, or
 * `@opentelemetry/api` not installed). Keep the result in a field and call it with `?.`: off costs a
 * null check.
 *
 * @example
 * ```ts
 * const telemetry = credentialsTelemetry(options.telemetry, { provider: options.name, source: "web-identity" });
 * telemetry?.observeExpiration(engine, (e) => e.status().expiration);
 * const credentials = await withRefreshTelemetry(telemetry, "scheduled", () => source());
 * if (degraded) telemetry?.staleServed();
 * ```
 */
export function credentialsTelemetry(option: TelemetryOption | undefined, init: CredentialsTelemetryInit): CredentialsTelemetry | undefined {
  const scope = resolveTelemetry(option);
  return scope === undefined ? undefined : new CredentialsTelemetry(scope, init);
}

/**
 * `attempt()` inside the refresh span and histogram when telemetry is on, `attempt()` alone when off.
 *
 * @example
 * ```ts
 * const credentials = await withRefreshTelemetry(this.telemetry, reason, () => this.source());
 * ```
 */
export function withRefreshTelemetry<T>(telemetry: CredentialsTelemetry | undefined, reason: string, attempt: () => Promise<T>): Promise<T> {
  return telemetry === undefined ? attempt() : telemetry.refreshAttempt(reason, attempt);
}
