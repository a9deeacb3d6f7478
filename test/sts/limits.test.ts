/**
 * STS's AssumeRole limits, each at its edges: the last accepted value passes and one past it is refused with the
 * limit named, so a startup check never refuses what STS takes, nor lets through what STS would refuse.
 */
import { describe, expect, it } from "vitest";
import { assumeRoleInputProblems, chainedDuration, STS_ASSUME_ROLE_LIMITS, type AssumeRoleInputs } from "../../src/sts/limits.js";

const ROLE = "arn:aws:iam::123456789012:role/app";
const problems = (extra: Partial<AssumeRoleInputs>): string[] => assumeRoleInputProblems({ roleArn: ROLE, ...extra });
const text = (n: number, ch = "a"): string => ch.repeat(n);

describe("length limits, at both ends", () => {
  const cases: [string, readonly [number, number], (value: string) => Partial<AssumeRoleInputs> & { roleArn?: string }][] = [
    ["roleArn", STS_ASSUME_ROLE_LIMITS.roleArnLength, (v) => ({ roleArn: v })],
    ["roleSessionName", STS_ASSUME_ROLE_LIMITS.roleSessionNameLength, (v) => ({ roleSessionName: v })],
    ["externalId", STS_ASSUME_ROLE_LIMITS.externalIdLength, (v) => ({ externalId: v })],
    ["policy", STS_ASSUME_ROLE_LIMITS.policyLength, (v) => ({ policy: v })],
    ["policyArns[0].arn", STS_ASSUME_ROLE_LIMITS.policyArnLength, (v) => ({ policyArns: [{ arn: v }] })],
    ["sourceIdentity", STS_ASSUME_ROLE_LIMITS.sourceIdentityLength, (v) => ({ sourceIdentity: v })],
    ['tag key "', STS_ASSUME_ROLE_LIMITS.tagKeyLength, (v) => ({ tags: { [v]: "v" } })],
    ["the value of tag", STS_ASSUME_ROLE_LIMITS.tagValueLength, (v) => ({ tags: { team: v } })],
  ];
  for (const [name, [min, max], input] of cases) {
    it(`${name}: ${min} and ${max} characters pass, ${min - 1} and ${max + 1} do not`, () => {
      expect(problems(input(text(min)))).toEqual([]);
      expect(problems(input(text(max)))).toEqual([]);
      const over = problems(input(text(max + 1)));
      expect(over).toHaveLength(1);
      expect(over[0]).toContain(name);
      expect(over[0]).toContain(`${min} to ${max} characters long (STS's limit), got ${max + 1}`);
      if (min > 0) expect(problems(input(text(min - 1)))[0]).toContain(`got ${min - 1}`);
    });
  }

  it("the documented figures", () => {
    expect(STS_ASSUME_ROLE_LIMITS).toMatchObject({
      roleArnLength: [20, 2048],
      roleSessionNameLength: [2, 64],
      externalIdLength: [2, 1224],
      durationSeconds: [900, 43_200],
      roleChainingMaxSeconds: 3_600,
      policyLength: [1, 2048],
      policyArns: 10,
      policyArnLength: [20, 2048],
      tags: 50,
      tagKeyLength: [1, 128],
      tagValueLength: [0, 256],
      transitiveTagKeys: 50,
      sourceIdentityLength: [2, 64],
    });
  });
});

describe("durationSeconds", () => {
  it("900 and 43200 pass; 899, 43201 and a fraction do not", () => {
    expect(problems({ durationSeconds: 900 })).toEqual([]);
    expect(problems({ durationSeconds: 43_200 })).toEqual([]);
    for (const d of [899, 43_201, 1000.5]) {
      expect(problems({ durationSeconds: d })).toEqual([
        `durationSeconds must be an integer from 900 to 43200 (STS's limit; the role's maximum session duration may be lower), got ${d}`,
      ]);
    }
  });
});

describe("counts", () => {
  const arn = { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" };
  it("10 policy ARNs pass, 11 do not", () => {
    expect(problems({ policyArns: Array.from({ length: 10 }, () => arn) })).toEqual([]);
    expect(problems({ policyArns: Array.from({ length: 11 }, () => arn) })).toEqual(["policyArns takes at most 10 managed policies (STS's limit), got 11"]);
  });

  it("a policy ARN that is not a string is named by its index", () => {
    expect(problems({ policyArns: [arn, { arn: 7 as unknown as string }] })).toEqual(["policyArns[1].arn must be a string"]);
  });

  it("50 tags and 50 transitive keys pass, 51 do not", () => {
    const tags = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
    const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `k${i}`);
    expect(problems({ tags: tags(50), transitiveTagKeys: keys(50) })).toEqual([]);
    expect(problems({ tags: tags(51) })).toEqual(["tags takes at most 50 session tags (STS's limit), got 51"]);
    const transitive = problems({ tags: tags(51), transitiveTagKeys: keys(51) });
    expect(transitive).toContain("transitiveTagKeys takes at most 50 keys (STS's limit), got 51");
    expect(transitive).toHaveLength(2);
  });
});

describe("characters", () => {
  it("session names and source identities: STS's [\\w+=,.@-], all of it and nothing else", () => {
    const all = "aZ09_+=,.@-";
    expect(problems({ roleSessionName: all, sourceIdentity: all })).toEqual([]);
    expect(problems({ roleSessionName: "a b" })).toEqual(["roleSessionName may only contain letters, digits and + = , . @ _ - (STS's pattern [\\w+=,.@-]*)"]);
    expect(problems({ roleSessionName: "ab:" })).toHaveLength(1);
    expect(problems({ sourceIdentity: "a/b" })).toEqual(["sourceIdentity may only contain letters, digits and + = , . @ _ - (STS's pattern [\\w+=,.@-]*)"]);
  });

  it("the pattern covers the whole value, not a prefix or a suffix", () => {
    expect(problems({ roleSessionName: "ok name" })).toHaveLength(1);
    expect(problems({ roleSessionName: " okname" })).toHaveLength(1);
    expect(problems({ externalId: "ok id" })).toHaveLength(1);
    expect(problems({ externalId: " okid" })).toHaveLength(1);
    expect(problems({ policy: "{}\u0100" })).toHaveLength(1);
    expect(problems({ policy: "\u0100{}" })).toHaveLength(1);
    expect(problems({ tags: { "team!": "v" } })).toHaveLength(1);
    expect(problems({ tags: { "!team": "v" } })).toHaveLength(1);
    expect(problems({ sourceIdentity: "ok id" })).toHaveLength(1);
    expect(problems({ sourceIdentity: " okid" })).toHaveLength(1);
  });

  it("external IDs also take : and /", () => {
    expect(problems({ externalId: "aZ09_+=,.@:/-" })).toEqual([]);
    expect(problems({ externalId: "a b" })).toEqual(["externalId may only contain letters, digits and + = , . @ : / _ - (STS's pattern [\\w+=,.@:/-]*)"]);
  });

  it("policies: tab, line feed, carriage return and space to U+00FF", () => {
    expect(problems({ policy: '{\t"a":\n"\u00ff"\r}' })).toEqual([]);
    expect(problems({ policy: "{\u0001}" })).toEqual(["policy may only contain tab, line feed, carriage return and characters from space to U+00FF (STS's limit)"]);
  });

  it("tags: Unicode letters, numbers, spaces and _ . : / = + - @ in keys and values", () => {
    expect(problems({ tags: { "Équipe 1_.:/=+-@": "Zürich ٣ _.:/=+-@" } })).toEqual([]);
    expect(problems({ tags: { team: "a*b" } })).toEqual(['tag "team" may only contain letters, numbers, spaces and _ . : / = + - @ (STS\'s limit)']);
    expect(problems({ tags: { "a*b": "v" } })).toHaveLength(1);
  });
});

describe("tags", () => {
  it("keys starting with aws: (any case) are AWS's", () => {
    expect(problems({ tags: { "AWS:team": "v" } })).toEqual(['tag key "AWS:team" starts with "aws:", which AWS reserves']);
    expect(problems({ tags: { "team-aws:": "v" } })).toEqual([]);
  });

  it("keys are case-insensitive: the same key twice in two cases is refused", () => {
    expect(problems({ tags: { Team: "a", team: "b" } })).toEqual(['tag key "team" appears twice; session tag keys are case-insensitive']);
  });

  it("a tag value that is not a string is named, and not checked further", () => {
    expect(problems({ tags: { team: 7 as unknown as string } })).toEqual(['tag "team" must have a string value']);
  });

  it("a transitive key must be one of the tags, in any case", () => {
    expect(problems({ tags: { Team: "a" }, transitiveTagKeys: ["team"] })).toEqual([]);
    expect(problems({ tags: { team: "a" }, transitiveTagKeys: ["project"] })).toEqual([
      'transitiveTagKeys names "project", which is not one of the tags; a transitive key must be a session tag',
    ]);
    // No tags at all: every transitive key is refused.
    expect(problems({ transitiveTagKeys: ["S"] })).toEqual(['transitiveTagKeys names "S", which is not one of the tags; a transitive key must be a session tag']);
  });
});

describe("source identity", () => {
  it("may not start with aws:, in any case", () => {
    expect(problems({ sourceIdentity: "Aws:me" })).toContain('sourceIdentity starts with "aws:", which AWS reserves');
    expect(problems({ sourceIdentity: "me-aws:" })).not.toContain('sourceIdentity starts with "aws:", which AWS reserves');
  });
});

describe("a missing role ARN", () => {
  it("is the one problem named", () => {
    expect(assumeRoleInputProblems({} as AssumeRoleInputs)).toEqual([
      "roleArn is required (the ARN of the role to assume, e.g. arn:aws:iam::123456789012:role/name)",
    ]);
  });
});

describe("chainedDuration", () => {
  it("clamps only a chained request over 3600 s", () => {
    expect(chainedDuration(3_601, true)).toEqual({ durationSeconds: 3_600, clamped: true });
    expect(chainedDuration(3_600, true)).toEqual({ durationSeconds: 3_600, clamped: false });
    expect(chainedDuration(7_200, false)).toEqual({ durationSeconds: 7_200, clamped: false });
    expect(chainedDuration(undefined, true)).toEqual({ durationSeconds: undefined, clamped: false });
  });
});
