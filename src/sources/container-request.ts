/**
 * One fetch from the container credentials endpoint, on the SDK's own HTTP handler, with the rules of the
 * SDK's `fromHttp` (accepted URLs, `Authorization` from the token or the token file re-read on each call,
 * the response shape, retries) — and one thing `fromHttp` cannot do: every attempt is bounded and
 * *aborted*, so an endpoint that accepts the connection and never answers leaves no socket behind, and
 * the handler's warnings go to the caller's logger rather than `console`.
 */
import { readFile } from "node:fs/promises";
import type * as NodeHttp from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, HttpRequest } from "@smithy/types";
import { requireOrImport } from "../shared/lazy-require.js";
import type { Logger } from "../shared/logger.js";

export interface ContainerRequest {
  url: URL;
  authorizationToken: string | undefined;
  authorizationTokenFile: string | undefined;
  /** Per attempt, and the pause between attempts, ms. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  logger: Logger;
}

const CONTAINER_HOSTS = new Set(["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]);
const LOOPBACK_V6 = new Set(["[::1]", "[0000:0000:0000:0000:0000:0000:0000:0001]"]);

/**
 * Why the SDK would refuse this URL (HTTPS, loopback, or the ECS/EKS link-local hosts only), or undefined.
 *
 * @example
 * ```ts
 * containerUrlProblem(new URL("http://10.0.0.1/creds")); // "URL not accepted. …"
 * ```
 */
export function containerUrlProblem(url: URL): string | undefined {
  if (url.protocol === "https:") return undefined;
  const host = url.hostname;
  if (CONTAINER_HOSTS.has(host) || LOOPBACK_V6.has(host) || host === "localhost") return undefined;
  const parts = host.split(".");
  if (parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return (
    "URL not accepted. It must either be HTTPS or match one of the following: loopback CIDR 127.0.0.0/8 or [::1/128], " +
    "ECS container host 169.254.170.2, EKS container host 169.254.170.23 or [fd00:ec2::23]"
  );
}

/**
 * Fetches credentials, retrying `maxRetries` times with `timeoutMs` between attempts (the SDK's semantics).
 * Each attempt's request is destroyed when `timeoutMs` passes without an answer.
 *
 * @example
 * ```ts
 * const credentials = await fetchContainerCredentials({ url, authorizationToken, authorizationTokenFile: undefined,
 *   timeoutMs: 1_000, maxRetries: 3, logger: console });
 * ```
 */
export async function fetchContainerCredentials(request: ContainerRequest): Promise<AwsCredentialIdentity> {
  const { NodeHttpHandler } = await requireOrImport<typeof NodeHttp>("@smithy/node-http-handler", () => import("@smithy/node-http-handler"));
  // One handler (and agent) per fetch, destroyed after it: no socket outlives the call.
  const handler = new NodeHttpHandler({
    connectionTimeout: request.timeoutMs,
    requestTimeout: request.timeoutMs,
    throwOnRequestTimeout: true,
    logger: request.logger,
  });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await attemptOnce(handler, request);
      } catch (error) {
        if (attempt >= request.maxRetries || (error as { retryable?: boolean }).retryable === false) throw error;
        // Not unref'd: someone awaits this fetch. An unref'd pause let a process with nothing else to do
        // (`awscreds doctor --resolve` after a 403) exit with code 0 and no output, mid-call.
        await new Promise((resolve) => setTimeout(resolve, request.timeoutMs));
      }
    }
  } finally {
    handler.destroy();
  }
}

async function attemptOnce(handler: NodeHttp.NodeHttpHandler, request: ContainerRequest): Promise<AwsCredentialIdentity> {
  const { url } = request;
  const headers: Record<string, string> = {};
  const token = request.authorizationTokenFile ? (await readFile(request.authorizationTokenFile, "utf8")).trim() : request.authorizationToken;
  if (token) {
    if (token.includes("\r") || token.includes("\n")) throw Object.assign(new Error("Authorization token contains a line break"), { retryable: false });
    headers.Authorization = token;
  }
  const httpRequest: HttpRequest = {
    method: "GET",
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
    headers,
  };
  // The abort makes the deadline real: the handler destroys the request (and its socket) on it.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
  timer.unref();
  let status: number;
  let body: string;
  try {
    // The handler reads only these fields; the SDK's HttpRequest class adds clone(), which it never calls.
    const { response } = await handler.handle(httpRequest as Parameters<NodeHttp.NodeHttpHandler["handle"]>[0], { abortSignal: abort.signal, requestTimeout: request.timeoutMs });
    status = response.statusCode;
    body = await readBody(response.body as NodeJS.ReadableStream | undefined);
  } catch (error) {
    if (abort.signal.aborted) throw new Error(`no answer within ${request.timeoutMs} ms (the request was aborted)`);
    throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return parseCredentials(status, body);
}

function readBody(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (stream === undefined) return Promise.resolve("");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer | string) => chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk));
    stream.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.once("error", reject);
  });
}

/** The SDK's reading of the answer: 200 with the four fields, or an error carrying the endpoint's Code/Message. */
function parseCredentials(status: number, body: string): AwsCredentialIdentity {
  if (status === 200) {
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // Reported below as the wrong shape.
    }
    const { AccessKeyId, SecretAccessKey, Token, Expiration, AccountId } = parsed;
    const expiration = typeof Expiration === "string" ? new Date(Expiration) : undefined;
    if (typeof AccessKeyId !== "string" || typeof SecretAccessKey !== "string" || typeof Token !== "string" || !expiration || !Number.isFinite(expiration.getTime())) {
      throw new Error(
        "HTTP credential provider response not of the required format, an object matching: " +
          "{ AccessKeyId: string, SecretAccessKey: string, Token: string, Expiration: string(rfc3339) }",
      );
    }
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: Token,
      expiration,
      ...(typeof AccountId === "string" && AccountId !== "" && { accountId: AccountId }),
    };
  }
  let detail: { Code?: unknown; Message?: unknown } = {};
  try {
    detail = JSON.parse(body) as typeof detail;
  } catch {
    // Not JSON: the status says enough.
  }
  throw Object.assign(new Error(`Server responded with status: ${status}`), {
    ...(typeof detail.Code === "string" && { Code: detail.Code }),
    ...(typeof detail.Message === "string" && { Message: detail.Message }),
  });
}
