import type { KnownCredentials } from "../core/credential-store.js";
import type { BatchEntryFaults } from "./entry-faults.js";
import type { JsonObject } from "./input.js";
import type { QueueRegistry } from "./registry.js";

/** What an SQS action handler gets besides its input. */
export interface ActionContext {
  readonly registry: QueueRegistry;
  /** Whose verified credentials signed the call. */
  readonly caller: KnownCredentials;
  /** Aborted when the client goes away or the fake closes (long polls let go). */
  readonly signal: AbortSignal;
  /** Minimum time between two PurgeQueue calls on one queue (SQS: 60 s). */
  readonly purgeCooldownMs: number;
  /** Per-entry failures a test injected into batch actions. */
  readonly entryFaults: BatchEntryFaults;
}

export type ActionHandler = (input: JsonObject, context: ActionContext) => JsonObject | Promise<JsonObject>;
