/**
 * The local clock against STS's, measured on doctor's own signed STS call (`--whoami`): the `Date` header of
 * the answer (second resolution) against the local clock at the middle of the round trip. AWS rejects
 * signatures more than 5 minutes off, and judges expiry by its clock, not ours; the SDK client corrects its
 * `systemClockOffset` only after such a rejection, so doctor shows both.
 */
import type { HttpResponse } from "@smithy/types";
import type { ClockReport } from "./report.js";

/** AWS's tolerance for a request's signing time. */
export const SIGNATURE_SKEW_LIMIT_MS = 5 * 60_000;

/**
 * Server time minus local time from one exchange, or undefined without a usable `Date` header. The header
 * says the second the server answered in; the local clock is read before sending and after receiving, so
 * the offset is bounded by half the round trip plus half a second. Pure.
 *
 * @example
 * ```ts
 * clockOffsetFrom({ dateHeader: "Sun, 06 Dec 2026 23:10:00 GMT", sentAt: Date.parse("2026-12-06T23:00:00Z"), receivedAt: Date.parse("2026-12-06T23:00:00.200Z") });
 * // { offsetMs: 600400, uncertaintyMs: 600 }
 * ```
 */
export function clockOffsetFrom(input: { dateHeader: string | undefined; sentAt: number; receivedAt: number }): { offsetMs: number; uncertaintyMs: number } | undefined {
  if (input.dateHeader === undefined) return undefined;
  const server = Date.parse(input.dateHeader);
  if (Number.isNaN(server) || input.receivedAt < input.sentAt) return undefined;
  const roundTrip = input.receivedAt - input.sentAt;
  // The server's instant lies in [server, server + 1000): its middle against the local middle.
  const offsetMs = Math.round(server + 500 - (input.sentAt + roundTrip / 2));
  return { offsetMs, uncertaintyMs: Math.round(500 + roundTrip / 2) };
}

/** Whether AWS would reject signatures from this clock, even at the favourable end of the bound. Pure. */
export function clockSkewed(report: Pick<ClockReport, "offsetMs" | "uncertaintyMs">): boolean {
  return Math.abs(report.offsetMs) - report.uncertaintyMs > SIGNATURE_SKEW_LIMIT_MS;
}

/** What a v3 client's middleware stack offers (enough to add one middleware). */
interface MiddlewareStackLike {
  add(middleware: unknown, options: { step: "finalizeRequest"; priority: "low"; name: string }): void;
}

/**
 * Records the last exchange of `client` (every attempt, errors included: a rejected request's answer
 * carries a `Date` too) and turns it into a report.
 *
 * @example
 * ```ts
 * const clock = watchClock(client, "https://sts.eu-west-1.amazonaws.com");
 * await client.send(new GetCallerIdentityCommand({}));
 * console.log(clock.report());
 * ```
 */
export function watchClock(
  client: { middlewareStack: MiddlewareStackLike; config: { systemClockOffset?: number } },
  endpoint: string,
): { report(): ClockReport | null } {
  let sample: { dateHeader: string | undefined; sentAt: number; receivedAt: number } | undefined;
  const dateOf = (response: unknown): string | undefined => {
    const headers = (response as Partial<HttpResponse> | undefined)?.headers;
    return headers?.date ?? headers?.Date;
  };
  const middleware =
    (next: (args: unknown) => Promise<{ response: unknown }>) =>
    async (args: unknown): Promise<{ response: unknown }> => {
      const sentAt = Date.now();
      try {
        const result = await next(args);
        sample = { dateHeader: dateOf(result.response), sentAt, receivedAt: Date.now() };
        return result;
      } catch (error) {
        const response = (error as { $response?: unknown } | undefined)?.$response;
        if (response !== undefined) sample = { dateHeader: dateOf(response), sentAt, receivedAt: Date.now() };
        throw error;
      }
    };
  // Innermost of its step: after signing and retries, so each attempt is timed on its own.
  client.middlewareStack.add(middleware, { step: "finalizeRequest", priority: "low", name: "awscredsDoctorClockMiddleware" });
  return {
    report: () => {
      const measured = sample && clockOffsetFrom(sample);
      if (!measured) return null;
      const report: ClockReport = {
        ...measured,
        measuredAgainst: `the Date header of STS's answer at ${endpoint}`,
        sdkSystemClockOffsetMs: client.config.systemClockOffset ?? 0,
        skewed: false,
      };
      report.skewed = clockSkewed(report);
      return report;
    },
  };
}
