/**
 * Checks of a custom STS endpoint (VPC endpoint, LocalStack, a test fake). Pure. What goes there (a web
 * identity token, or a signed AssumeRole) and what comes back (credentials) are secrets: plain HTTP only to
 * this machine, or when explicitly allowed.
 */

export type CustomEndpointResult = { ok: true; endpoint: string } | { ok: false; problem: string };

/** Hosts that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}

/**
 * Validates a custom endpoint: an absolute `https://` URL, or `http://` to loopback, or any `http://`
 * with `allowInsecureEndpoint`; no user info in the URL.
 *
 * @example
 * ```ts
 * checkCustomEndpoint("http://localhost:4566", {}); // ok (loopback)
 * checkCustomEndpoint("http://localstack:4566", { allowInsecureEndpoint: true }); // ok (allowed)
 * ```
 */
export function checkCustomEndpoint(raw: string, init: { allowInsecureEndpoint?: boolean }): CustomEndpointResult {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, problem: `the endpoint option "${raw}" is not a URL (expected e.g. https://sts.eu-west-1.amazonaws.com)` };
  }
  if (url.username || url.password) {
    return { ok: false, problem: "the endpoint option must not carry a user name or password" };
  }
  if (url.protocol === "https:") return { ok: true, endpoint: url.href };
  if (url.protocol !== "http:") {
    return { ok: false, problem: `the endpoint option "${url.href}" must be an https:// (or loopback http://) URL` };
  }
  if (isLoopbackHost(url.hostname) || init.allowInsecureEndpoint) return { ok: true, endpoint: url.href };
  return {
    ok: false,
    problem:
      `the endpoint option "${url.href}" is plain http to another host, which would send tokens and credentials ` +
      `unencrypted. Use https://, or pass allowInsecureEndpoint: true if this is a trusted test network (e.g. LocalStack in docker compose)`,
  };
}
