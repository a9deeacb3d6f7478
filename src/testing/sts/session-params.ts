/**
 * AssumeRole's session tags, transitive tag keys and source identity: read off the wire and checked
 * against STS's limits, with the constraint wording of its front end.
 */
import { FakeAwsError } from "../core/fake-service.js";
import type { ConstraintViolations } from "./validate.js";

export interface SessionParams {
  tags: { key: string; value: string }[];
  transitiveTagKeys: string[];
  sourceIdentity: string | undefined;
}

const TAG_KEY = /[\p{L}\p{Z}\p{N}_.:/=+\-@]+/u;
const TAG_VALUE = /[\p{L}\p{Z}\p{N}_.:/=+\-@]*/u;
const SOURCE_IDENTITY = /[\w+=,.@-]*/;

/** Reads `Tags.member.N.Key/Value`, `TransitiveTagKeys.member.N` and `SourceIdentity`. */
export function readSessionParams(params: URLSearchParams): SessionParams {
  const tags: SessionParams["tags"] = [];
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    tags.push({ key: params.get(`Tags.member.${n}.Key`)!, value: params.get(`Tags.member.${n}.Value`) ?? "" });
  }
  const transitiveTagKeys: string[] = [];
  for (let n = 1; params.has(`TransitiveTagKeys.member.${n}`); n++) transitiveTagKeys.push(params.get(`TransitiveTagKeys.member.${n}`)!);
  return { tags, transitiveTagKeys, sourceIdentity: params.get("SourceIdentity") ?? undefined };
}

/** Adds the constraint violations of the session parameters to `violations` (STS reports them in one answer). */
export function checkSessionParams(session: SessionParams, violations: ConstraintViolations): void {
  if (session.tags.length > 50) violations.add(`Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`);
  session.tags.forEach((tag, i) => {
    violations.check(`tags.${i + 1}.member.key`, tag.key, { required: true, min: 1, max: 128, pattern: TAG_KEY });
    violations.check(`tags.${i + 1}.member.value`, tag.value, { required: true, min: 0, max: 256, pattern: TAG_VALUE });
  });
  if (session.transitiveTagKeys.length > 50) {
    violations.add(`Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50`);
  }
  session.transitiveTagKeys.forEach((key, i) => violations.check(`transitiveTagKeys.${i + 1}.member`, key, { min: 1, max: 128, pattern: TAG_KEY }));
  violations.check("sourceIdentity", session.sourceIdentity, { min: 2, max: 64, pattern: SOURCE_IDENTITY });
}

/** Checks STS makes after the constraints: duplicate tag keys (case-insensitive), the reserved `aws:` prefix. */
export function checkSessionSemantics(session: SessionParams): void {
  const seen = new Set<string>();
  for (const { key } of session.tags) {
    const folded = key.toLowerCase();
    if (seen.has(folded)) throw new FakeAwsError(400, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    seen.add(folded);
    if (folded.startsWith("aws:")) throw new FakeAwsError(400, "InvalidParameterValue", "Tag keys beginning with 'aws:' are reserved for AWS use.");
  }
}
