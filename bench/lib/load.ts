/**
 * Open-loop load at a fixed rate: calls are started on schedule whether or not earlier ones finished, as
 * requests reach a real service. (A closed loop would hide a stall: while one call waits for STS, no new
 * call would start, and the stall would count once instead of once per blocked request.)
 */
import { performance } from "node:perf_hooks";
import type { LatencySample } from "./svg.js";

export interface LoadTarget {
  name: string;
  /** One credential resolution, e.g. `() => client.config.credentials()`. */
  resolve(): Promise<unknown>;
}

export interface LoadFailure {
  /** Start time (ms since the run began). */
  t: number;
  /** Error name or AWS code, e.g. `InternalFailure`, `CredentialsProviderError`. */
  error: string;
  /** How long the call took to fail, ms. */
  ms: number;
}

export interface LoadRecord {
  samples: LatencySample[];
  failures: LoadFailure[];
  /** Calls still unsettled when the run gave up waiting for them. */
  unsettled: number;
}

export interface FixedRateOptions {
  /** Calls per second, per target. */
  ratePerSecond: number;
  durationMs: number;
  /** How long to wait for in-flight calls after the last one started. Default 30 s. */
  settleTimeoutMs?: number;
}

function errorName(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [e.name, e.Code, e.code]) if (typeof v === "string" && v !== "" && v !== "Error") return v;
  }
  return "Error";
}

/**
 * Starts `ratePerSecond` calls per second on every target for `durationMs`, interleaved, and records
 * each call's start time and latency (or failure).
 *
 * @example
 * ```ts
 * const records = await runFixedRate([{ name: "sdk", resolve: () => client.config.credentials() }], {
 *   ratePerSecond: 500,
 *   durationMs: 20_000,
 * });
 * ```
 */
export async function runFixedRate(targets: readonly LoadTarget[], options: FixedRateOptions): Promise<Map<string, LoadRecord>> {
  const records = new Map<string, LoadRecord>(targets.map((t) => [t.name, { samples: [], failures: [], unsettled: 0 }]));
  const inFlight = new Map<string, Set<Promise<void>>>(targets.map((t) => [t.name, new Set()]));
  const start = performance.now();
  const intervalMs = 1000 / options.ratePerSecond;
  let issued = 0;

  const fire = (target: LoadTarget): void => {
    const record = records.get(target.name)!;
    const pending = inFlight.get(target.name)!;
    const t0 = performance.now();
    let call: Promise<unknown>;
    try {
      call = target.resolve();
    } catch (error) {
      call = Promise.reject(error);
    }
    const settled: Promise<void> = call.then(
      () => {
        record.samples.push({ t: t0 - start, ms: performance.now() - t0 });
      },
      (error: unknown) => {
        record.failures.push({ t: t0 - start, error: errorName(error), ms: performance.now() - t0 });
      },
    );
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor(elapsed / intervalMs) + 1, Math.ceil(options.durationMs / intervalMs));
      while (issued < due) {
        for (const target of targets) fire(target);
        issued += 1;
      }
      if (elapsed >= options.durationMs) resolve();
      else setTimeout(tick, Math.max(0, Math.min(intervalMs, options.durationMs - elapsed)));
    };
    tick();
  });

  const all = [...inFlight.values()].flatMap((s) => [...s]);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(all),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.settleTimeoutMs ?? 30_000);
    }),
  ]);
  clearTimeout(timer);
  for (const [name, pending] of inFlight) records.get(name)!.unsettled = pending.size;
  return records;
}
