/**
 * What a message that could not be sent resolves with, and which failures are worth another try.
 * Pure: a failed `SendMessageBatch` entry (its `Code` and `SenderFault`) or a failed call is judged
 * here; the sender only acts on the verdict.
 */
import { httpStatusOf } from "../shared/error-fields.js";
import { classifyError, errorCodes } from "./classify-error.js";

/** Why one message was not sent. `code` is SQS's (`InvalidParameterValue`, `InternalError`, …) or ours. */
export class SendMessageError extends Error {
  override readonly name = "SendMessageError";
  constructor(
    message: string,
    /** SQS's error code for the entry or the call; `MessageTooLarge`, `Aborted`, `SenderClosed` are ours. */
    readonly code: string,
    /** Attempts made (0 when it was refused before sending). */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Per-entry codes that are SQS's trouble, whatever `SenderFault` says. */
const RETRYABLE_ENTRY_CODES = new Set(["InternalError", "ServiceUnavailable", "RequestThrottled", "Throttling", "ThrottlingException", "KmsThrottled"]);
/** Whole-call codes a retry cannot fix (the batch itself is wrong, or the queue is). */
const NON_RETRYABLE_CALL_CODES = new Set([
  "BatchEntryIdsNotDistinct",
  "InvalidBatchEntryId",
  "TooManyEntriesInBatchRequest",
  "EmptyBatchRequest",
  "BatchRequestTooLong",
  "InvalidMessageContents",
  "AccessDenied",
  "KmsAccessDenied",
  "KmsDisabled",
  "KmsNotFound",
  "KmsInvalidState",
  "KmsInvalidKeyUsage",
  "KmsOptInRequired",
]);

/**
 * Whether a failed entry of a `SendMessageBatch` answer may be sent again: SQS's own faults
 * (`SenderFault: false`) and throttling yes; the sender's (`InvalidParameterValue`, a bad attribute,
 * a duplicate id) never.
 *
 * @example
 * ```ts
 * retryableEntry({ Code: "InternalError", SenderFault: false }); // true
 * retryableEntry({ Code: "InvalidParameterValue", SenderFault: true }); // false
 * ```
 */
export function retryableEntry(failed: { Code?: string; SenderFault?: boolean }): boolean {
  if (failed.Code !== undefined && RETRYABLE_ENTRY_CODES.has(failed.Code)) return true;
  if (failed.Code !== undefined && NON_RETRYABLE_CALL_CODES.has(failed.Code)) return false;
  return failed.SenderFault === false;
}

/**
 * Whether a whole `SendMessageBatch` call that threw may be sent again: throttling, network errors,
 * timeouts, 5xx and expired credentials (a refresher replaces them) yes; a malformed batch, a missing
 * queue, a denied key or any other 4xx never.
 *
 * @example
 * ```ts
 * retryableCall(Object.assign(new Error("slow down"), { name: "RequestThrottled" })); // true
 * retryableCall(Object.assign(new Error("gone"), { name: "QueueDoesNotExist" })); // false
 * ```
 */
export function retryableCall(error: unknown): boolean {
  if (errorCodes(error).some((code) => NON_RETRYABLE_CALL_CODES.has(code))) return false;
  const kind = classifyError(error);
  if (kind === "throttling" || kind === "credentials") return true;
  if (kind !== "transient") return false;
  const status = httpStatusOf(error);
  return status === undefined || status >= 500;
}
