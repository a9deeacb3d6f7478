/**
 * Where a consumer is in its stop protocol, shared by the pollers, the handler runs and the shutdown:
 * stopping (no new poll, no new start), sealed (abandoned handlers' outcomes are ignored) and the fatal
 * error `done` rejects with.
 */
export class StopState {
  /** Aborted on stop: in-flight polls, backoff sleeps and rate waits end at once. */
  readonly pollAbort = new AbortController();
  /** Aborted when running handlers are abandoned at `stopTimeoutMs`: their `signal`. */
  readonly handlerAbort = new AbortController();
  /** True once `stop()` was called, `signal` aborted, or a fatal error occurred. */
  stopping = false;
  /**
   * Set when running handlers are abandoned at `stopTimeoutMs`. From then on a handler that settles has
   * its outcome ignored: no delete, no visibility change. Its message is left for redelivery, and stop()
   * never resolves with an SQS call still to come.
   */
  sealed = false;
  /** When running handlers are abandoned: `stopTimeoutMs` after stop() was asked for (set before the pollers end). */
  handlersDeadline = 0;
  fatal: { error: unknown } | undefined;

  /** Starts stopping (false when already stopping): no more polls, and the handlers' deadline is set. */
  begin(stopTimeoutMs: number): boolean {
    if (this.stopping) return false;
    this.stopping = true;
    this.handlersDeadline = Date.now() + stopTimeoutMs;
    this.pollAbort.abort();
    return true;
  }

  /** Running handlers are abandoned: sealed first, so one returning from its abort listener cannot slip a delete in. */
  abandonHandlers(): void {
    this.sealed = true;
    this.handlerAbort.abort();
  }
}
