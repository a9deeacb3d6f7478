/**
 * The `SenderId` message attribute SQS reports. In AWS it is the caller's IAM unique id, the very
 * `UserId` that STS GetCallerIdentity returns for the same credentials: `AIDA…` for an IAM user's
 * long-lived keys, `AROA…:session-name` for an assumed role (the account id for root). So the fake SQS
 * asks the fake STS's rule rather than keeping its own, and the two can never disagree.
 */
import type { KnownCredentials } from "../core/credential-store.js";
import { callerUserId } from "../sts/identity.js";

/**
 * The `SenderId` of a message sent with `credentials`: equal to their GetCallerIdentity `UserId`.
 *
 * @example
 * ```ts
 * senderIdOf(context.caller); // "AROA…:my-session" for assumed-role credentials
 * ```
 */
export function senderIdOf(credentials: KnownCredentials): string {
  return callerUserId(credentials);
}
