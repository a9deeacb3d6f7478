/**
 * Which fake a request on the single port is for, decided the way AWS's own front ends tell services
 * apart when they share a host: the SigV4 credential scope names the service (`…/us-east-1/sqs/aws4_request`),
 * `X-Amz-Target: AmazonSQS.*` names SQS's JSON protocol, and an unsigned Query call (AssumeRoleWithWebIdentity,
 * AssumeRoleWithSAML) names its action and API version. IMDS and the container endpoint are told by path,
 * as their clients let any endpoint be configured.
 */
import type { IncomingHttpHeaders } from "node:http";

export type RoutedService = "sts" | "sqs" | "imds" | "container";

/** The parts of a request the route depends on. */
export interface RouteInput {
  path: string;
  headers: IncomingHttpHeaders;
  /** Query string and (form) body parameters. */
  params: URLSearchParams;
}

const STS_VERSION = "2011-06-15";
const SQS_VERSION = "2012-11-05";
const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The service a SigV4 signature is scoped to (header or presigned query string), if signed. */
export function signedService(headers: IncomingHttpHeaders, params: URLSearchParams): string | undefined {
  const fromHeader = SCOPE.exec(header(headers, "authorization") ?? "")?.[1];
  if (fromHeader !== undefined) return fromHeader;
  return /^[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request$/.exec(params.get("X-Amz-Credential") ?? "")?.[1];
}

/**
 * The fake that answers `input`. Requests that name nothing (no signature, target, action or queue path)
 * go to SQS, whose answer (`MissingAction`, `UnknownOperationException`) says what is missing.
 *
 * @example
 * ```ts
 * routeOf({ path: "/", headers: { "x-amz-target": "AmazonSQS.SendMessage" }, params: new URLSearchParams() }); // "sqs"
 * ```
 */
export function routeOf(input: RouteInput): RoutedService {
  const path = input.path.replace(/\/{2,}/g, "/");
  if (path === "/latest" || path.startsWith("/latest/")) return "imds";
  if (path.startsWith("/v2/credentials/")) return "container";
  const scoped = signedService(input.headers, input.params);
  if (scoped === "sts" || scoped === "sqs") return scoped;
  if ((header(input.headers, "x-amz-target") ?? "").startsWith("AmazonSQS.")) return "sqs";
  const version = input.params.get("Version");
  if (version === STS_VERSION) return "sts";
  if (version === SQS_VERSION || /^\/\d{12}\/[^/]+\/?$/.test(path)) return "sqs";
  return /^AssumeRoleWith|^GetCallerIdentity$|^AssumeRole$/.test(input.params.get("Action") ?? "") ? "sts" : "sqs";
}
