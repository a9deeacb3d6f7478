/**
 * What to check when AssumeRoleWithWebIdentity fails with one of its own error codes. Pure.
 */
import type { StsAdvice } from "../sts/failure.js";

/**
 * @example
 * ```ts
 * webIdentityAdvice({ roleArn, tokenFile: "/var/run/token" })("ExpiredToken", "fatal"); // "The token in /var/run/token has expired. …"
 * ```
 */
export function webIdentityAdvice(c: { roleArn: string; tokenFile: string }): StsAdvice {
  return (code) => {
    switch (code) {
      case "InvalidIdentityToken":
        return `STS could not validate the token from ${c.tokenFile}. Check that the cluster's OIDC issuer is registered as an IAM identity provider in the role's account and that the token's audience is sts.amazonaws.com.`;
      case "AccessDenied":
        return `The role's trust policy does not let this identity assume ${c.roleArn}. Check its Principal (the cluster's OIDC provider) and its :sub and :aud conditions (system:serviceaccount:<namespace>:<service-account>).`;
      case "ExpiredToken":
        return `The token in ${c.tokenFile} has expired. The kubelet rotates it; check the projected token volume and the node's clock.`;
      case "IDPCommunicationError":
        return "STS could not reach the identity provider (the cluster's OIDC issuer). This is usually transient; the next refresh tries again.";
      case "IDPRejectedClaim":
        return "The identity provider rejected the token's claims.";
      case "ValidationError":
        return "STS rejected a parameter: check durationSeconds (900 to 43200, and at most the role's maximum session duration), policy, policyArns and roleSessionName.";
      case "MalformedPolicyDocument":
      case "PackedPolicyTooLarge":
        return "STS rejected the session policy given in the policy or policyArns option.";
      default:
        return undefined;
    }
  };
}
