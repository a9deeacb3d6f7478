/**
 * Per-entry faults of SQS batch actions: SQS can answer a batch call with 200 and list some entries under
 * `Failed` (with `SenderFault: false` for its own trouble), and code that batches deletes or visibility
 * changes must retry those entries. The generic faults fail whole calls; these fail single entries.
 */
import type { BatchFailure } from "./errors.js";

/** The SQS actions that take `Entries`. */
export type SqsBatchAction = "SendMessageBatch" | "DeleteMessageBatch" | "ChangeMessageVisibilityBatch";

/** How injected batch entries fail. */
export interface BatchEntryFault {
  /** Only entries of this action (default: any batch action). */
  action?: SqsBatchAction;
  /** The entry's `Code`. Default `InternalError`, what SQS reports for its own per-entry failures. */
  code?: string;
  message?: string;
  /** Default false: SQS's fault, so the entry may be retried as is. */
  senderFault?: boolean;
}

interface Pending {
  remaining: number;
  fault: BatchEntryFault;
}

export class BatchEntryFaults {
  #pending: Pending[] = [];

  /** Fails the next `count` entries (of `fault.action`, or of any batch action), in the order they are handled. */
  failNext(count: number, fault: BatchEntryFault = {}): void {
    if (!(Number.isInteger(count) && count > 0) && count !== Infinity) {
      throw new RangeError(`failBatchEntries: count must be a positive integer (or Infinity), got ${count}`);
    }
    this.#pending.push({ remaining: count, fault: { ...fault } });
  }

  /** The failure for the next entry of `action`, if one is pending; the entry must then not be handled. */
  take(action: string, id: string): BatchFailure | undefined {
    const index = this.#pending.findIndex((p) => p.fault.action === undefined || p.fault.action === action);
    if (index === -1) return undefined;
    const pending = this.#pending[index]!;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.#pending.splice(index, 1);
    const { code = "InternalError", message = "We encountered an internal error. Please try again.", senderFault = false } = pending.fault;
    return { Id: id, SenderFault: senderFault, Code: code, Message: message };
  }

  clear(): void {
    this.#pending = [];
  }
}
