import { randomUUID } from "node:crypto";

/** Claims of a fake projected service-account token (EKS IRSA shape). */
export interface FakeTokenClaims {
  aud?: string | string[];
  sub?: string;
  iss?: string;
  /** Expiry, epoch seconds. Default: an hour from now. */
  exp?: number;
  [claim: string]: unknown;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An unsigned JWT shaped like the token the kubelet projects for IRSA. Not verifiable, by design. */
export function makeFakeWebIdentityToken(claims: FakeTokenClaims = {}, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const payload = {
    aud: ["sts.amazonaws.com"],
    iss: "https://oidc.eks.us-east-1.amazonaws.com/id/FAKE0123456789",
    sub: "system:serviceaccount:default:app",
    iat,
    exp: iat + 3600,
    jti: randomUUID(),
    ...claims,
  };
  return `${b64url({ alg: "RS256", kid: "fake" })}.${b64url(payload)}.${Buffer.from("fake-signature").toString("base64url")}`;
}
