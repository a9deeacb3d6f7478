/**
 * Fault injection shared by every fake service. A fault is decided per call, before the service
 * handles it, so a failed call has no side effect (as with a real 5xx from a front end).
 */

/** An AWS-shaped error the fake returns instead of handling the call. */
export interface FaultError {
  /** HTTP status, e.g. 400 for `Throttling`, 500 or 503 for server errors. */
  status: number;
  /** AWS error code, e.g. `Throttling`, `InvalidIdentityToken`, `ServiceUnavailable`. */
  code: string;
  message?: string;
}

export type FaultKind = "error" | "malformed" | "hang";

interface PendingFault {
  kind: FaultKind;
  remaining: number;
  error?: FaultError;
  action?: string;
}

/** Restricts a fault to calls of one action (e.g. `ReceiveMessage`, `AssumeRoleWithWebIdentity`). */
export interface FaultScope {
  action?: string;
}

/** Per-service controls: latency, failing, malformed and hanging calls. */
export interface FaultControls {
  /** Adds `ms` of latency before every call is answered (0 to remove). */
  setLatency(ms: number): void;
  /** Fails the next `count` calls (or every call, with `Infinity`) with `error`. */
  failNext(count: number, error: FaultError, scope?: FaultScope): void;
  /** Answers the next `count` calls with 200 and a body the SDK cannot parse. */
  malformNext(count: number, scope?: FaultScope): void;
  /** Never answers the next `count` calls (until `restore()` or `close()`). */
  hangNext(count: number, scope?: FaultScope): void;
  /** Removes every fault and latency, and lets hanging calls go (their sockets are destroyed). */
  restore(): void;
  readonly latencyMs: number;
}

export type FaultDecision =
  | { kind: "none" }
  | { kind: "error"; error: FaultError }
  | { kind: "malformed" }
  | { kind: "hang" };

export class FaultController implements FaultControls {
  #latencyMs = 0;
  #pending: PendingFault[] = [];
  readonly #releaseHangs = new Set<() => void>();
  readonly #onRestore: (() => void) | undefined;

  /** `onRestore` clears a service's own faults (e.g. SQS batch-entry failures) along with these. */
  constructor(onRestore?: () => void) {
    this.#onRestore = onRestore;
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
    this.#latencyMs = ms;
  }

  failNext(count: number, error: FaultError, scope: FaultScope = {}): void {
    this.#push({ kind: "error", remaining: count, error, action: scope.action });
  }

  malformNext(count: number, scope: FaultScope = {}): void {
    this.#push({ kind: "malformed", remaining: count, action: scope.action });
  }

  hangNext(count: number, scope: FaultScope = {}): void {
    this.#push({ kind: "hang", remaining: count, action: scope.action });
  }

  restore(): void {
    this.#latencyMs = 0;
    this.#pending = [];
    this.#onRestore?.();
    for (const release of [...this.#releaseHangs]) release();
  }

  /** Takes the fault that applies to this call, if any (first matching fault wins). */
  decide(action: string): FaultDecision {
    const index = this.#pending.findIndex((f) => f.action === undefined || f.action === action);
    if (index === -1) return { kind: "none" };
    const fault = this.#pending[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#pending.splice(index, 1);
    if (fault.kind === "error") return { kind: "error", error: fault.error! };
    return { kind: fault.kind };
  }

  /** Registers a hanging call's release; `restore()` calls it. Returns an unregister function. */
  trackHang(release: () => void): () => void {
    this.#releaseHangs.add(release);
    return () => this.#releaseHangs.delete(release);
  }

  #push(fault: PendingFault): void {
    if (!(fault.remaining > 0)) throw new RangeError(`fault count must be positive, got ${fault.remaining}`);
    this.#pending.push(fault);
  }
}
