/**
 * Measures how long each request of a v3 client waits for credentials: the time spent in the SDK's
 * `httpAuthSchemeMiddleware`, which is where the client resolves its identity (and, for a memoized
 * provider inside its 5-minute window, waits for STS). Public middleware API only; the client's
 * credentials are left exactly as configured.
 */
import { performance } from "node:perf_hooks";
import type { ServiceInputTypes, ServiceOutputTypes, SQSClient } from "@aws-sdk/client-sqs";
import type { SerializeMiddleware } from "@smithy/types";

type Middleware = SerializeMiddleware<ServiceInputTypes, ServiceOutputTypes>;

/**
 * Adds two middlewares around identity resolution and calls `record(ms, commandName)` once per request.
 *
 * @example
 * ```ts
 * const waits: number[] = [];
 * timeCredentialWaits(client, (ms, command) => waits.push(ms));
 * ```
 */
export function timeCredentialWaits(client: SQSClient, record: (ms: number, commandName: string | undefined) => void): void {
  const startedAt = new WeakMap<object, number>();
  const start: Middleware = (next, context) => async (args) => {
    startedAt.set(context, performance.now());
    return next(args);
  };
  const end: Middleware = (next, context) => async (args) => {
    const t0 = startedAt.get(context);
    if (t0 !== undefined) record(performance.now() - t0, context.commandName);
    return next(args);
  };
  client.middlewareStack.addRelativeTo(start, { name: "awscredsDemoIdentityStart", relation: "before", toMiddleware: "httpAuthSchemeMiddleware", override: true });
  client.middlewareStack.addRelativeTo(end, { name: "awscredsDemoIdentityEnd", relation: "after", toMiddleware: "httpAuthSchemeMiddleware", override: true });
}
