/**
 * Every face an error leaves a refresher or swapper by (ready, callers, refresh(), onRefreshError, logs,
 * status()), driven once for the redaction tests. Needs fake timers (useFakeClockAndCatchUnhandled).
 */
import { vi } from "vitest";
import { createRefresher } from "../../src/refresh/refresher.js";
import { createSwapper } from "../../src/refresh/swapper.js";
import type { RefreshErrorEvent, RefreshingProvider } from "../../src/refresh/types.js";
import { capturingLogger, makeCredentials } from "./helpers.js";

const backoff = { initialDelayMs: 1_000, maxDelayMs: 8_000, jitter: "none" as const };

export interface WhatLeft {
  /** The errors that left: ready, a caller, refresh(), a failed forced refresh with valid credentials held, past expiry, then every event's. */
  seen: unknown[];
  events: RefreshErrorEvent[];
  /** The text of every log line. */
  lines: string[];
  status: ReturnType<RefreshingProvider["status"]>;
}

/**
 * Runs a provider whose source throws `failure()` through every face an error leaves by; returns what left.
 * With `forceRefresh`, a caller's `{ forceRefresh: true }` is tried too while valid credentials are held.
 */
export async function everythingThatLeaves(face: "refresher" | "swapper", failure: () => unknown, { forceRefresh = false } = {}): Promise<WhatLeft> {
  const logger = capturingLogger();
  const events: RefreshErrorEvent[] = [];
  let failing = true;
  let n = 0;
  const source = async () => {
    n += 1;
    if (failing) throw failure();
    return makeCredentials(n, 60_000);
  };
  const options = { logger, onRefreshError: (e: RefreshErrorEvent) => events.push(e), backoff };
  const provider = face === "refresher" ? createRefresher(source, options) : createSwapper(() => source, options);
  await vi.advanceTimersByTimeAsync(0);
  const seen: unknown[] = [];
  seen.push(await provider.ready.catch((e: unknown) => e));
  seen.push(await provider().catch((e: unknown) => e));
  seen.push(await provider.refresh().catch((e: unknown) => e));
  // Now with valid credentials held: a failed forced refresh rejects with the copy as well.
  failing = false;
  await provider.refresh();
  failing = true;
  seen.push(await provider.refresh().catch((e: unknown) => e));
  if (forceRefresh) seen.push(await provider({ forceRefresh: true }).catch((e: unknown) => e));
  await vi.advanceTimersByTimeAsync(61_000); // past expiry: CredentialsExpiredError wraps the last one
  seen.push(await provider().catch((e: unknown) => e));
  seen.push(...events.map((e) => e.error));
  const status = provider.status();
  provider.stop();
  return { seen, events, lines: logger.lines.map((l) => l.text), status };
}
