import { randomUUID } from "node:crypto";

/** What a fake SAML assertion says (an IdP's answer for one user and role). */
export interface FakeSamlAssertionInit {
  /** The role to allow, `arn:aws:iam::ACCOUNT:role/NAME` (the `…/Attributes/Role` attribute's first half). */
  roleArn: string;
  /** The IAM SAML provider, `arn:aws:iam::ACCOUNT:saml-provider/NAME` (its second half). */
  principalArn: string;
  /** `NameID`: who signed in. Default `fake-user@example.com`. */
  subject?: string;
  /** `NameID` format: `persistent` (default), `transient` or a full URN. */
  subjectType?: string;
  /** The IdP's entity id. Default `https://idp.example.com/saml`. */
  issuer?: string;
  /** `RoleSessionName` attribute (STS requires one). Default the subject; `null` leaves it out. */
  roleSessionName?: string | null;
  /** End of validity, epoch ms. Default: five minutes from `now`. */
  notOnOrAfter?: number;
  /** `Audience`. Default AWS's, `https://signin.aws.amazon.com/saml`. */
  audience?: string;
}

export const SAML_AUDIENCE = "https://signin.aws.amazon.com/saml";
const SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
const ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role";
const SESSION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";

const xml = (text: string): string => text.replace(/[&<>"]/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c]};`);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * A base64 SAML 2.0 `Response`, as a browser posts it to AWS after IdP sign-in: unsigned (nothing could
 * verify an IdP's signature here, as with the fake web identity tokens), but with the subject, audience,
 * validity window and AWS role attributes the fake STS checks in `AssumeRoleWithSAML`.
 *
 * @example
 * ```ts
 * const SAMLAssertion = makeFakeSamlAssertion({ roleArn, principalArn: "arn:aws:iam::123456789012:saml-provider/corp" });
 * await sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: "arn:aws:iam::123456789012:saml-provider/corp", SAMLAssertion }));
 * ```
 */
export function makeFakeSamlAssertion(init: FakeSamlAssertionInit, now = Date.now()): string {
  const subject = init.subject ?? "fake-user@example.com";
  const issuer = init.issuer ?? "https://idp.example.com/saml";
  const type = init.subjectType ?? "persistent";
  const format = type.startsWith("urn:") ? type : `urn:oasis:names:tc:SAML:2.0:nameid-format:${type}`;
  const until = iso(init.notOnOrAfter ?? now + 5 * 60_000);
  const session = init.roleSessionName === undefined ? subject.replace(/[^\w+=,.@-]/g, "-") : init.roleSessionName;
  const attribute = (name: string, value: string): string =>
    `<saml:Attribute Name="${name}"><saml:AttributeValue>${xml(value)}</saml:AttributeValue></saml:Attribute>`;
  const response =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_${randomUUID()}" Version="2.0" IssueInstant="${iso(now)}" Destination="${SAML_AUDIENCE}">` +
    `<saml:Issuer xmlns:saml="${SAML_NS}">${xml(issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion xmlns:saml="${SAML_NS}" ID="_${randomUUID()}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${xml(issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${format}">${xml(subject)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${SAML_AUDIENCE}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(now - 60_000)}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${xml(init.audience ?? SAML_AUDIENCE)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AttributeStatement>${attribute(ROLE_ATTRIBUTE, `${init.roleArn},${init.principalArn}`)}${session === null ? "" : attribute(SESSION_ATTRIBUTE, session)}</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`;
  return Buffer.from(response, "utf8").toString("base64");
}
