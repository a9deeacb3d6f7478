/**
 * Plays AWS's clock for SDK clients in tests: the fakes share this host's clock (and their HTTP server writes
 * the real time in `Date`, even under a faked `Date`), while the SDK measures its `systemClockOffset` from the
 * `Date` of AWS's answers.
 */
import type { DeserializeMiddleware } from "@smithy/types";

/**
 * A deserialize middleware that rewrites every answer's `Date` header as AWS's clock, ahead of `Date.now()`
 * by `skewMs`, would write it.
 *
 * @example
 * ```ts
 * sqs.middlewareStack.add(awsClockAhead(10 * 60_000), { step: "deserialize", priority: "low", name: "testAwsClock" });
 * ```
 */
export function awsClockAhead<I extends object, O extends object>(skewMs: number): DeserializeMiddleware<I, O> {
  return (next) => async (args) => {
    const rewrite = (response: unknown): void => {
      const headers = (response as { headers?: Record<string, string> } | undefined)?.headers;
      if (headers !== undefined) headers.date = new Date(Date.now() + skewMs).toUTCString();
    };
    try {
      const output = await next(args);
      rewrite(output.response);
      return output;
    } catch (error) {
      rewrite((error as { $response?: unknown }).$response);
      throw error;
    }
  };
}
