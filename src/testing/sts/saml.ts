/**
 * What the fake STS checks of a SAML assertion in `AssumeRoleWithSAML`. As with web identity tokens it
 * cannot verify the IdP's signature, but it rejects what STS rejects without one: a document that is not a
 * base64 SAML `Response` with an `Assertion`, one past its `NotOnOrAfter`, one for another audience, one
 * whose `…/Attributes/Role` does not pair the requested role with the provider, one without a
 * `RoleSessionName`. The rest is read from the assertion, as STS reports it back.
 */
import { createHash } from "node:crypto";
import { FakeAwsError } from "../core/fake-service.js";

export interface SamlClaims {
  subject: string;
  /** `persistent`, `transient` or the NameID format URN. */
  subjectType: string;
  issuer: string;
  audience: string;
  roleSessionName: string;
}

const ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role";
const SESSION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";

const invalid = (why: string): FakeAwsError => new FakeAwsError(400, "InvalidIdentityToken", why);

function unescape(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]!);
}

/** Text of the first `<prefix:name …>text</prefix:name>` (any namespace prefix). */
function elementText(doc: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`).exec(doc);
  return m === null ? undefined : unescape(m[1]!.trim());
}

function attributeValues(doc: string, attributeName: string): string[] {
  const escaped = attributeName.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const block = new RegExp(`<(?:[\\w-]+:)?Attribute\\s[^>]*Name="${escaped}"[^>]*>([\\s\\S]*?)</(?:[\\w-]+:)?Attribute>`).exec(doc);
  if (block === null) return [];
  return [...block[1]!.matchAll(/<(?:[\w-]+:)?AttributeValue(?:\s[^>]*)?>([^<]*)</g)].map((m) => unescape(m[1]!.trim()));
}

/**
 * Reads and checks `assertion` (base64) for the role and provider requested, at `now` (epoch ms).
 *
 * @example
 * ```ts
 * const claims = checkSamlAssertion(params.get("SAMLAssertion")!, roleArn, principalArn, Date.now());
 * ```
 */
export function checkSamlAssertion(assertion: string, roleArn: string, principalArn: string, now: number): SamlClaims {
  const doc = /^[A-Za-z0-9+/=\s]+$/.test(assertion) ? Buffer.from(assertion, "base64").toString("utf8") : "";
  if (!/<(?:[\w-]+:)?Response[\s>]/.test(doc) || !/<(?:[\w-]+:)?Assertion[\s>]/.test(doc)) throw invalid("Invalid SAML response: not a base64 SAML 2.0 Response with an Assertion.");
  const until = /<(?:[\w-]+:)?Conditions\s[^>]*NotOnOrAfter="([^"]+)"/.exec(doc)?.[1];
  if (until !== undefined && Date.parse(until) <= now) throw new FakeAwsError(400, "ExpiredTokenException", "Token expired: the SAML assertion is past its NotOnOrAfter.");
  const audience = elementText(doc, "Audience") ?? "";
  if (!/^https:\/\/(?:[\w-]+\.)?signin\.aws\.amazon\.com\/saml$/.test(audience)) throw invalid(`Invalid SAML response: audience ${audience || "(none)"} is not AWS's sign-in endpoint.`);
  const pairs = attributeValues(doc, ROLE_ATTRIBUTE).map((v) => v.split(",").map((p) => p.trim()));
  if (!pairs.some((pair) => pair.length === 2 && pair.includes(roleArn) && pair.includes(principalArn))) {
    throw new FakeAwsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML");
  }
  const roleSessionName = attributeValues(doc, SESSION_ATTRIBUTE)[0];
  if (roleSessionName === undefined || roleSessionName === "") throw invalid("RoleSessionName is required in AuthnResponse");
  const format = /<(?:[\w-]+:)?NameID\s[^>]*Format="([^"]+)"/.exec(doc)?.[1] ?? "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
  const short = /:nameid-format:(persistent|transient)$/.exec(format)?.[1];
  return { subject: elementText(doc, "NameID") ?? "", subjectType: short ?? format, issuer: elementText(doc, "Issuer") ?? "", audience, roleSessionName };
}

/** `NameQualifier`: base64 of SHA-1 over issuer + account id + `/` + provider name, as STS documents it. */
export function nameQualifier(issuer: string, principalArn: string): string {
  const m = /^arn:[^:]+:iam::(\d{12}):saml-provider\/(.+)$/.exec(principalArn);
  return createHash("sha1").update(`${issuer}${m?.[1] ?? ""}/${m?.[2] ?? ""}`).digest("base64");
}
