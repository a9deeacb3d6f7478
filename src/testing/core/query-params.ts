import type { FakeRequest } from "./fake-service.js";

/**
 * Every parameter of a Query-protocol request: the query string's, then (for POST) the form body's, as
 * AWS Query front ends (STS, SQS) accept both.
 *
 * @example
 * ```ts
 * queryParams(request).get("Action"); // "GetCallerIdentity"
 * ```
 */
export function queryParams(request: FakeRequest): URLSearchParams {
  const params = new URLSearchParams(request.url.search);
  if (request.method === "POST") for (const [k, v] of new URLSearchParams(request.body)) params.append(k, v);
  return params;
}
