/**
 * The request-level checks every SQS batch action makes before looking at any entry, and the per-entry
 * loop that turns each entry's error into a `Failed` item instead of failing the call.
 */
import { sqsError, toBatchFailure, type BatchFailure } from "./errors.js";
import { optionalObjectList, optionalString, type JsonObject } from "./input.js";

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_ENTRIES = 10;

/** Validates `Entries` (present, 1-10, well-formed distinct ids) and returns them. */
export function batchEntries(input: JsonObject, entryType: string): JsonObject[] {
  const entries = optionalObjectList(input, "Entries") ?? [];
  if (entries.length === 0) throw sqsError("EmptyBatchRequest", `There should be at least one ${entryType} in the request.`);
  if (entries.length > MAX_ENTRIES) {
    throw sqsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are ${MAX_ENTRIES}. You have sent ${entries.length}.`);
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = optionalString(entry, "Id") ?? "";
    if (!ENTRY_ID.test(id)) {
      throw sqsError(
        "InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      );
    }
    if (seen.has(id)) throw sqsError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries;
}

/**
 * Runs `handle` per entry; entries that throw go to `Failed` with SQS's per-entry code. An entry for which
 * `injected` returns a failure (a test's `failBatchEntries`) is not handled and goes to `Failed` as is.
 */
export function runEntries(
  entries: readonly JsonObject[],
  handle: (entry: JsonObject) => JsonObject,
  injected?: (id: string) => BatchFailure | undefined,
): { Successful: JsonObject[]; Failed: BatchFailure[] } {
  const Successful: JsonObject[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of entries) {
    const id = entry.Id as string;
    const fault = injected?.(id);
    if (fault !== undefined) {
      Failed.push(fault);
      continue;
    }
    try {
      Successful.push({ Id: id, ...handle(entry) });
    } catch (error) {
      Failed.push(toBatchFailure(id, error));
    }
  }
  return { Successful, Failed };
}
