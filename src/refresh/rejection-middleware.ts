/**
 * The client side of "AWS rejected these credentials": a v3 middleware that, when a request fails with a
 * credential-rejection error, invalidates the credentials that signed it (on the provider behind the
 * client's `credentials`) and sends the request once more with the new ones. A request AWS refused for its
 * credentials was not executed, so the retry is safe for every operation.
 *
 * It sits in the `initialize` step, before the SDK resolves an identity (`httpAuthSchemeMiddleware`,
 * `serialize` step) and before its own retries (`finalizeRequest`): the second pass resolves, signs and
 * retries afresh. Which key signed the request is read from the identity the SDK resolved for it
 * (`context.__smithy_context.selectedHttpAuthScheme.identity`).
 */
import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, InitializeHandlerOutput, MetadataBearer } from "@smithy/types";
import { maskAccessKeyId } from "../shared/mask-access-key-id.js";
import { credentialRejectionCode } from "./rejection-codes.js";
import { CLOCK_OFFSET, rejectionTargetOf, type InvalidationResult } from "./rejection-target.js";

/** The middleware's name in the client's stack (adding it again replaces it: idempotent). */
export const REJECTION_MIDDLEWARE_NAME = "awscredsRejectionRecovery";

/** What the recovery reads of an SDK v3 client: its live config and its middleware stack. */
export interface AttachableClient {
  config: { credentials?: unknown; systemClockOffset?: number };
  /** Absent on a client-like object (a wrapper, a test double): it is then only re-pointed. */
  middlewareStack?: {
    add(
      middleware: (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => InitializeHandler<object, MetadataBearer>,
      options: { step: "initialize"; name: string; override: boolean; tags: string[] },
    ): void;
  };
}

/** What awscreds adds to an error it let through after trying new credentials (also in its message). */
export interface RejectionExplanation {
  /** The code AWS rejected the credentials with. */
  code: string;
  /** The (masked) access key id that signed the request AWS rejected last. */
  accessKeyId: string | undefined;
  /** What awscreds did: whether new credentials were fetched and the request sent again. */
  retried: boolean;
  /** The clock offset the client measured against AWS, ms (0: none measured). */
  clockOffsetMs: number;
}

/** The access key id of the identity the SDK resolved (and signed with) for this request, if any. */
export function signedAccessKeyId(context: HandlerExecutionContext): string | undefined {
  const smithy = (context as Record<string, unknown>).__smithy_context as { selectedHttpAuthScheme?: { identity?: { accessKeyId?: unknown } } } | undefined;
  const key = smithy?.selectedHttpAuthScheme?.identity?.accessKeyId;
  return typeof key === "string" ? key : undefined;
}

function offsetOf(config: AttachableClient["config"]): number {
  const offset = config.systemClockOffset;
  return typeof offset === "number" && Number.isFinite(offset) ? offset : 0;
}

/**
 * Adds what awscreds tried to the error the caller gets (its class, name, code and `$metadata` stay, so
 * code that inspects it keeps working): the message gains the explanation, `awscredsRejection` the facts.
 */
export function explainRejection(error: unknown, facts: RejectionExplanation, result: InvalidationResult | undefined): unknown {
  if (typeof error !== "object" || error === null) return error;
  const tried = facts.retried
    ? "new credentials were fetched and the request sent again, and AWS rejected those too"
    : `no new credentials could be used (${result?.reason ?? "the provider could not replace them"})`;
  const clock =
    facts.clockOffsetMs === 0
      ? "the client measured no clock offset against AWS"
      : `the client measured this host's clock ${Math.abs(facts.clockOffsetMs)} ms ${facts.clockOffsetMs > 0 ? "behind" : "ahead of"} AWS's`;
  const text =
    `awscreds: AWS rejected the credentials ${facts.accessKeyId ?? ""} (${facts.code}); ${tried}; ${clock}. ` +
    "Check whether the role's sessions were revoked (\"Revoke active sessions\" denies sessions issued before it), whether the role or user " +
    "still exists and trusts this workload, and that this host's clock is synchronized (NTP).";
  const record = error as { message?: unknown; awscredsRejection?: RejectionExplanation };
  if (record.awscredsRejection !== undefined) return error;
  try {
    record.message = typeof record.message === "string" && record.message !== "" ? `${record.message} (${text})` : text;
    record.awscredsRejection = facts;
  } catch {
    // A frozen error goes out as it came.
  }
  return error;
}

/**
 * Gives `client` the recovery: idempotent (one middleware per client, found by name). The provider is
 * read from `client.config.credentials` at the moment of a rejection, so re-pointing the client (a
 * swapper's `attach`) is followed; a provider that cannot invalidate (the SDK's own) is left alone.
 *
 * @example
 * ```ts
 * const sqs = new SQSClient({ credentials: createRefresher(fromTokenFile()) });
 * installRejectionRecovery(sqs);
 * ```
 */
export function installRejectionRecovery<C extends AttachableClient>(client: C): C {
  let notedOffset = 0;
  client.middlewareStack?.add(
    (next, context) =>
      async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
        const config = client.config;
        const offset = offsetOf(config);
        if (offset !== notedOffset) {
          notedOffset = offset;
          rejectionTargetOf(config.credentials)?.[CLOCK_OFFSET]?.(offset);
        }
        try {
          return await next(args);
        } catch (error) {
          const code = credentialRejectionCode(error);
          const target = code === undefined ? undefined : rejectionTargetOf(config.credentials);
          if (code === undefined || target === undefined) throw error;
          const signed = signedAccessKeyId(context);
          const clockOffsetMs = offsetOf(config);
          const result = await target.invalidate(signed, { code, clockOffsetMs });
          const facts: RejectionExplanation = { code, accessKeyId: signed === undefined ? undefined : maskAccessKeyId(signed), retried: false, clockOffsetMs };
          if (!result.replaced) throw explainRejection(error, facts, result);
          try {
            return await next(args);
          } catch (again) {
            const code2 = credentialRejectionCode(again);
            if (code2 === undefined) throw again;
            const signed2 = signedAccessKeyId(context);
            // Recorded (status, logs); within the rate limit nothing more is fetched, and the request is not sent a third time.
            const result2 = await target.invalidate(signed2, { code: code2, clockOffsetMs: offsetOf(config) });
            throw explainRejection(again, { code: code2, accessKeyId: signed2 === undefined ? undefined : maskAccessKeyId(signed2), retried: true, clockOffsetMs: offsetOf(config) }, result2);
          }
        }
      },
    { step: "initialize", name: REJECTION_MIDDLEWARE_NAME, override: true, tags: ["AWSCREDS", "CREDENTIALS"] },
  );
  return client;
}

/**
 * `attach()` of awscreds' providers: checks the client, points its `credentials` at `provider` (the SDK
 * client's setter re-normalizes; awscreds' SDK marks keep the provider as is) and installs the recovery.
 *
 * @example
 * ```ts
 * attachProvider(sqs, refresher, "orders refresher");
 * ```
 */
export function attachProvider<C extends AttachableClient>(client: C, provider: unknown, name: string): C {
  if (typeof client !== "object" || client === null || typeof client.config !== "object" || client.config === null) {
    throw new TypeError(`${name}: attach() takes an AWS SDK v3 client (something with a config object)`);
  }
  client.config.credentials = provider;
  // A client-like object without a middleware stack (a test double, a wrapper) is re-pointed only.
  if (typeof client.middlewareStack?.add === "function") installRejectionRecovery(client);
  return client;
}
