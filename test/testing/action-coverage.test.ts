/**
 * Every operation of the SQS and STS service models (as the installed v3 clients have them) is either
 * implemented by the fake or answered as unsupported — never as an operation the service does not have —
 * and docs/testing.md's table says which is which.
 */
import * as sqsClient from "@aws-sdk/client-sqs";
import * as stsClient from "@aws-sdk/client-sts";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SQS_ACTIONS, SQS_NOT_IMPLEMENTED } from "../../src/testing/sqs/service.js";
import { STS_ACTIONS, STS_NOT_IMPLEMENTED } from "../../src/testing/sts/service.js";

const operationsOf = (client: Record<string, unknown>): string[] =>
  Object.keys(client)
    .filter((name) => /^[A-Z][A-Za-z]+Command$/.test(name) && typeof client[name] === "function")
    .map((name) => name.slice(0, -"Command".length))
    .sort();

const docs = readFileSync(new URL("../../docs/testing.md", import.meta.url), "utf8");
const tableRow = (service: string): string => docs.split("\n").find((line) => line.startsWith(`| ${service} |`)) ?? "";

describe.each([
  ["SQS", sqsClient, SQS_ACTIONS, SQS_NOT_IMPLEMENTED],
  ["STS", stsClient, STS_ACTIONS, STS_NOT_IMPLEMENTED],
] as const)("%s", (service, client, implemented, unsupported) => {
  it("implements or answers as unsupported every operation of the model, and lists each in the docs", () => {
    const operations = operationsOf(client as Record<string, unknown>);
    expect(operations.length).toBeGreaterThan(5);
    const covered = new Set<string>([...implemented, ...unsupported]);
    expect(operations.filter((op) => !covered.has(op))).toEqual([]);
    const row = tableRow(service);
    for (const op of operations) expect(row).toContain(`\`${op}\``);
  });
});
