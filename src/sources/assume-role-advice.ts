/**
 * What to check when AssumeRole fails with one of its own error codes. Pure. AccessDenied is what STS
 * answers for a wrong ExternalId as well as for a trust policy that does not name the caller, so the advice
 * lists both, with the values this call used.
 */
import type { StsAdvice } from "../sts/failure.js";

export interface AssumeRoleAdviceContext {
  roleArn: string;
  externalId: string | undefined;
  durationSeconds: number | undefined;
  roleChaining: boolean;
}

/**
 * @example
 * ```ts
 * assumeRoleAdvice({ roleArn, externalId: "tenant-42", durationSeconds: undefined, roleChaining: false })("AccessDenied", "fatal");
 * // "Check, in the trust policy of arn:…: its Principal names the caller …; its sts:ExternalId condition equals "tenant-42" …"
 * ```
 */
export function assumeRoleAdvice(c: AssumeRoleAdviceContext): StsAdvice {
  return (code) => {
    switch (code) {
      case "AccessDenied": {
        const external =
          c.externalId === undefined
            ? "if the policy has an sts:ExternalId condition, pass the externalId the role's owner gave you (none was sent)"
            : `its sts:ExternalId condition equals "${c.externalId}", the externalId sent (STS answers a wrong ExternalId with this same AccessDenied)`;
        return (
          `Check, in the trust policy of ${c.roleArn}: its Principal names the caller (the account or role in the message above); ${external}; ` +
          "and that the caller's own IAM policy allows sts:AssumeRole on that role (and sts:TagSession / sts:SetSourceIdentity when tags or sourceIdentity are sent)."
        );
      }
      case "ValidationError":
        return (
          `STS rejected a parameter (the message says which). For DurationSeconds: ${c.durationSeconds ?? "the default 3600"} s was asked for; ` +
          `it must not exceed the role's maximum session duration (IAM: MaxSessionDuration)${c.roleChaining ? ", nor 3600 s when role chaining" : ""}. ` +
          "Lower durationSeconds or raise the role's maximum."
        );
      case "ExpiredToken":
        return "The source credentials that sign AssumeRole have expired. Give the source a refresher (createRefresher) so they are renewed before expiry.";
      case "InvalidClientTokenId":
      case "SignatureDoesNotMatch":
      case "UnrecognizedClient":
        return "STS does not accept the source credentials that sign AssumeRole: check the source (its keys, its region's activation, its clock).";
      case "MalformedPolicyDocument":
        return "STS rejected the session policy given in the policy option.";
      case "PackedPolicyTooLarge":
        return "The session policy and session tags together exceed STS's packed size: shorten the policy, or send fewer or shorter tags.";
      default:
        return undefined;
    }
  };
}
