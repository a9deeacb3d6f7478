import { describe, expect, it } from "vitest";
import { parseRoleArn } from "../../src/sources/role-arn.js";
import { defaultSessionName, SESSION_NAME_PATTERN, sessionNameProblem } from "../../src/sources/session-name.js";

describe("defaultSessionName", () => {
  it("is the pod/host name plus a short random suffix", () => {
    expect(defaultSessionName({ hostname: "orders-api-7d9f8b6c5-x2k4p", random: "k3j9q1" })).toBe("orders-api-7d9f8b6c5-x2k4p-k3j9q1");
  });

  it("is valid for STS whatever the host name", () => {
    const hosts = [undefined, "", "a", "ip-10-0-0-1.eu-west-1.compute.internal", "Jörg's MacBook Pro (2)", "-", "x".repeat(300), "日本語"];
    for (const hostname of hosts) {
      const name = defaultSessionName({ hostname, random: "abc123" });
      expect(name, String(hostname)).toMatch(SESSION_NAME_PATTERN);
      expect(name.endsWith("-abc123")).toBe(true);
    }
    expect(defaultSessionName({ hostname: "Jörg's MacBook Pro (2)", random: "r1" })).toBe("J-rg-s-MacBook-Pro-2-r1");
    expect(defaultSessionName({ hostname: undefined, random: "r1" })).toBe("awscreds-r1");
    expect(defaultSessionName({ hostname: "x".repeat(300), random: "abc123" })).toHaveLength(64);
  });
});

describe("sessionNameProblem", () => {
  it("accepts what STS accepts and explains the rest", () => {
    expect(sessionNameProblem("app@pod-1,x=y+z.w_v")).toBeUndefined();
    expect(sessionNameProblem("a")).toBe("it is 1 characters long; STS accepts 2 to 64");
    expect(sessionNameProblem("x".repeat(65))).toContain("STS accepts 2 to 64");
    expect(sessionNameProblem("has space")).toContain("letters, digits and + = , . @ _ - only");
  });
});

describe("parseRoleArn", () => {
  it("reads partition, account and role name, paths included", () => {
    expect(parseRoleArn("arn:aws:iam::123456789012:role/app")).toEqual({
      arn: "arn:aws:iam::123456789012:role/app",
      partition: "aws",
      accountId: "123456789012",
      roleName: "app",
    });
    expect(parseRoleArn("arn:aws-cn:iam::210987654321:role/team/sub/app-role")).toMatchObject({ partition: "aws-cn", accountId: "210987654321", roleName: "app-role" });
  });

  it("refuses what is not a role ARN", () => {
    for (const arn of ["app", "arn:aws:iam::123:role/app", "arn:aws:iam::123456789012:user/app", "arn:aws:sts::123456789012:assumed-role/app/s"]) {
      expect(parseRoleArn(arn), arn).toBeUndefined();
    }
  });
});
