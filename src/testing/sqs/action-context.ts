import type { KnownCredentials } from "../core/credential-store.js";
import type { BatchEntryFaults } from "./entry-faults.js";
import { requiredString, type JsonObject } from "./input.js";
import type { FakeQueue } from "./queue.js";
import type { QueueRegistry } from "./registry.js";

/** What an SQS action handler gets besides its input. */
export interface ActionContext {
  readonly registry: QueueRegistry;
  /** The action being run (a queue of another account is reached only if its policy grants it). */
  readonly action: string;
  /** Whose verified credentials signed the call. */
  readonly caller: KnownCredentials;
  /** Scheme and host the client used (`http://localhost:4566`): queue URLs in answers are built on it. */
  readonly baseUrl: string;
  /** Aborted when the client goes away or the fake closes (long polls let go). */
  readonly signal: AbortSignal;
  /** Minimum time between two PurgeQueue calls on one queue (SQS: 60 s). */
  readonly purgeCooldownMs: number;
  /** Per-entry failures a test injected into batch actions. */
  readonly entryFaults: BatchEntryFaults;
}

export type ActionHandler = (input: JsonObject, context: ActionContext) => JsonObject | Promise<JsonObject>;

/** The queue the input's `QueueUrl` names, as the caller may reach it (see `QueueRegistry.resolve`). */
export function queueOf(input: JsonObject, context: ActionContext): FakeQueue {
  return context.registry.resolve(requiredString(input, "QueueUrl"), context.caller, context.action);
}
