/**
 * maskSecretShapes, the second line of defence: what is shaped like an AWS secret is masked (over many
 * seeded random keys and tokens, in the contexts errors quote them in), what is not stays readable.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/lib/random.js";
import { maskSecretShapes } from "../../src/shared/secret-shapes.js";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const random = seededRandom(7);
const draw = (length: number, alphabet = BASE64): string => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");

describe("secret-shaped strings are masked", () => {
  it("2,000 random 40-character secret access keys, quoted the ways errors quote them", () => {
    for (let i = 0; i < 2_000; i++) {
      const key = draw(40);
      for (const quoted of [key, `key ${key}.`, `secret=${key}&x=1`, `"SecretAccessKey":"${key}"`, `(${key})`, `'${key}'`, `${key}\n    at`]) {
        expect(maskSecretShapes(quoted)).not.toContain(key);
      }
    }
  });

  it("session tokens, padded, and URL-encoded in a query string", () => {
    for (let i = 0; i < 200; i++) {
      const token = `IQoJb3JpZ2luX2VjE${draw(300 + Math.floor(random() * 600))}`;
      for (const padded of [token, `${token}=`, `${token}==`]) expect(maskSecretShapes(`token ${padded} rejected`)).toBe("token [redacted] rejected");
      const encoded = encodeURIComponent(token);
      expect(maskSecretShapes(`GET /?X-Amz-Security-Token=${encoded}&X-Amz-Date=20250101T000000Z`)).toBe("GET /?X-Amz-Security-Token=[redacted]&X-Amz-Date=20250101T000000Z");
    }
  });

  it("web identity tokens (JWTs)", () => {
    const url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const jwt = `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.${draw(200, url)}.${draw(342, url)}`;
    expect(maskSecretShapes(`InvalidIdentityToken: ${jwt} is expired`)).toBe("InvalidIdentityToken: [redacted] is expired");
  });
});

describe("what is not a secret stays readable", () => {
  const ordinary = [
    "ASIAIOSFODNN7EXAMPLE", // an access key id: 20 characters, not secret
    "arn:aws:iam::210987654321:role/saas-access",
    "arn:aws:sts::123456789012:assumed-role/tenant-reader/awscreds-billing-tenant-acme-1735732800",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709", // SHA-1, lower-case hex
    "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", // SHA-1, upper-case hex
    "b5c1e5a2-1f0e-4c6f-9d1a-2d4e8f0a7c31", // a request id
    "https://sts.eu-west-1.amazonaws.com/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15",
    "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
    "/home/runner/work/awscreds/awscreds/node_modules/@smithy/node-http-handler/dist-cjs/index.js:412:15",
    "2025-01-01T12:00:00.000Z",
    "awscreds: refresh failed (scheduled, attempt 3); still serving credentials valid until 2025-01-01T13:00:00.000Z",
  ];

  it.each(ordinary)("%s", (text) => {
    expect(maskSecretShapes(text)).toBe(text);
  });
});
