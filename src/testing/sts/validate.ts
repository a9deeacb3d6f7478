/**
 * STS's input validation, with its own error codes and wording: constraint violations are collected into
 * one `ValidationError` ("2 validation errors detected: …"), then the ARN and the policy are checked.
 */
import { FakeAwsError } from "../core/fake-service.js";
import { parseRoleArn, type RoleArnParts } from "./identity.js";

/** The request parameters the role actions share, as read off the wire (nothing validated yet). */
export interface RoleRequestParams {
  roleArn: string | undefined;
  roleSessionName: string | undefined;
  /** As sent; validated later, so the call log shows what the client really sent. */
  durationSeconds: string | undefined;
  policy: string | undefined;
  policyArns: string[];
}

/** A validated role request. */
export interface RoleRequest {
  role: RoleArnParts;
  roleArn: string;
  sessionName: string;
  durationSeconds: number | undefined;
  policy: string | undefined;
}

/** Reads the role parameters of AssumeRole / AssumeRoleWithWebIdentity from awsQuery parameters. */
export function readRoleParams(params: URLSearchParams): RoleRequestParams {
  const policyArns: string[] = [];
  for (let n = 1; params.has(`PolicyArns.member.${n}.arn`); n++) policyArns.push(params.get(`PolicyArns.member.${n}.arn`)!);
  return {
    roleArn: params.get("RoleArn") ?? undefined,
    roleSessionName: params.get("RoleSessionName") ?? undefined,
    durationSeconds: params.get("DurationSeconds") ?? undefined,
    policy: params.get("Policy") ?? undefined,
    policyArns,
  };
}

/** Collects constraint violations the way AWS's front end words them. */
export class ConstraintViolations {
  readonly #messages: string[] = [];

  /** `sensitive` members are never quoted back (AWS does not echo tokens; neither does the fake). */
  check(member: string, value: string | undefined, rules: { required?: boolean; min?: number; max?: number; pattern?: RegExp; sensitive?: boolean }): void {
    const quoted = rules.sensitive ? "Value" : `Value '${value}'`;
    if (value === undefined) {
      if (rules.required) this.#messages.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      return;
    }
    if (rules.min !== undefined && value.length < rules.min) {
      this.#messages.push(`${quoted} at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${rules.min}`);
    }
    if (rules.max !== undefined && value.length > rules.max) {
      this.#messages.push(`${quoted} at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${rules.max}`);
    }
    if (rules.pattern !== undefined && !new RegExp(`^(?:${rules.pattern.source})$`, rules.pattern.flags).test(value)) {
      this.#messages.push(`${quoted} at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rules.pattern.source}`);
    }
  }

  checkInteger(member: string, raw: string | undefined, min: number, max: number): number | undefined {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
      this.#messages.push(`Value '${raw}' at '${member}' failed to satisfy constraint: Member must be an integer`);
      return undefined;
    }
    if (value < min) this.#messages.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    if (value > max) this.#messages.push(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
    return value;
  }

  add(message: string): void {
    this.#messages.push(message);
  }

  /** Throws `ValidationError` if anything was violated. */
  throwIfAny(): void {
    const n = this.#messages.length;
    if (n === 0) return;
    throw new FakeAwsError(400, "ValidationError", `${n} validation error${n > 1 ? "s" : ""} detected: ${this.#messages.join("; ")}`);
  }
}

const SESSION_NAME = /[\w+=,.@-]*/;

/**
 * Validates the parameters common to the role actions. Extra checks (the web identity token, the
 * external id) go into `violations` before this runs, so all constraint errors come in one answer.
 */
export function validateRoleRequest(params: RoleRequestParams, violations = new ConstraintViolations()): RoleRequest {
  violations.check("roleArn", params.roleArn, { required: true, min: 20, max: 2048 });
  violations.check("roleSessionName", params.roleSessionName, { required: true, min: 2, max: 64, pattern: SESSION_NAME });
  const durationSeconds = violations.checkInteger("durationSeconds", params.durationSeconds, 900, 43200);
  violations.check("policy", params.policy, { min: 1, max: 2048 });
  if (params.policyArns.length > 10) {
    violations.add(`Value '[${params.policyArns.join(", ")}]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10`);
  }
  params.policyArns.forEach((arn, i) => violations.check(`policyArns.${i + 1}.member.arn`, arn, { min: 20, max: 2048 }));
  violations.throwIfAny();

  const role = parseRoleArn(params.roleArn!);
  if (role === undefined) throw new FakeAwsError(400, "ValidationError", "Request ARN is invalid");
  for (const arn of params.policyArns) {
    if (!/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/.+$/.test(arn)) throw new FakeAwsError(400, "ValidationError", `${arn} is invalid`);
  }
  if (params.policy !== undefined) checkPolicyDocument(params.policy);
  return { role, roleArn: params.roleArn!, sessionName: params.roleSessionName!, durationSeconds, policy: params.policy };
}

/** A session policy must at least be a JSON object; STS answers `MalformedPolicyDocument` otherwise. */
export function checkPolicyDocument(policy: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new FakeAwsError(400, "MalformedPolicyDocument", "Syntax errors in policy.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new FakeAwsError(400, "MalformedPolicyDocument", "Syntax errors in policy.");
  }
}
