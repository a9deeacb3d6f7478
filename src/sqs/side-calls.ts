/**
 * SQS calls `consume` sends on the side (releases, failure visibility changes, the redrive policy read):
 * nobody awaits them one by one, but `stop()` must not resolve while one is still on the wire.
 */
export class SideCalls {
  readonly #pending = new Set<Promise<unknown>>();

  /** Keeps `promise` until it settles; its rejection is the caller's to report, never unhandled. */
  track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Settles when every call tracked so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}
