/**
 * Bench scenario "sqs-fair": the latency of 20 quiet tenants' messages (handler start − SentTimestamp) on
 * a standard (fair) queue of the loopback fake SQS, alone, beside one noisy tenant of 2,000 messages, and
 * beside it with `maxConcurrencyPerGroup: 2` (concurrency 10; a noisy message takes 500 ms to handle).
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { consume } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import type { BenchContext, Scenario, ScenarioResult } from "../lib/scenario.js";
import type { Table } from "../lib/table.js";

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const NOISY_HANDLER_MS = 500;

interface Case {
  name: string;
  noisy: number;
  cap: number | undefined;
}
const CASES: readonly Case[] = [
  { name: "quiet tenants alone", noisy: 0, cap: undefined },
  { name: "beside a noisy tenant, no cap", noisy: 2_000, cap: undefined },
  { name: "beside a noisy tenant, maxConcurrencyPerGroup 2", noisy: 2_000, cap: 2 },
];

async function quietLatencies(fake: FakeAws, client: SQSClient, c: Case, n: number, quietPerGroup: number): Promise<number[]> {
  const url = fake.sqs.createQueue(`fair-${n}`);
  for (let i = 0; i < c.noisy; i += 10) {
    await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `n${i + j}`, MessageGroupId: "noisy" })) }));
  }
  const latencies: number[] = [];
  const consumer = consume({
    client,
    queueUrl: url,
    concurrency: 10,
    WaitTimeSeconds: 1,
    telemetry: false,
    ...(c.cap !== undefined && { maxConcurrencyPerGroup: c.cap }),
    MessageSystemAttributeNames: ["SentTimestamp", "MessageGroupId"],
    handler: async (message) => {
      if (message.Attributes?.MessageGroupId === "noisy") return pause(NOISY_HANDLER_MS);
      latencies.push(Date.now() - Number(message.Attributes?.SentTimestamp));
    },
  });
  await pause(300);
  for (let round = 0; round < quietPerGroup; round += 1) {
    for (let g = 0; g < 20; g += 1) {
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `q${g}:${round}`, MessageGroupId: `quiet-${g}` }));
      await pause(50);
    }
  }
  const deadline = Date.now() + 60_000;
  while (latencies.length < 20 * quietPerGroup && Date.now() < deadline) await pause(20);
  await consumer.stop();
  fake.sqs.deleteQueue(`fair-${n}`);
  return latencies.sort((a, b) => a - b);
}

const at = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

export const sqsFairScenario: Scenario = {
  async run(context: BenchContext): Promise<ScenarioResult> {
    const quietPerGroup = context.quick ? 2 : 5;
    const fake = await startFakeAws();
    const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: fake.registerStaticKeys() });
    const data: { case: string; latencies: number[] }[] = [];
    try {
      let n = 0;
      for (const c of CASES) {
        const latencies = await quietLatencies(fake, client, c, n++, quietPerGroup);
        context.log(`${c.name}: p50 ${at(latencies, 0.5)} ms, p90 ${at(latencies, 0.9)} ms`);
        data.push({ case: c.name, latencies });
      }
    } finally {
      client.destroy();
      await fake.close();
    }
    const table: Table = {
      title: "Quiet tenants' latency on a fair queue (ms, handler start − SentTimestamp)",
      columns: ["case", "p50", "p90", "max"],
      rows: data.map((d) => [d.case, String(at(d.latencies, 0.5)), String(at(d.latencies, 0.9)), String(d.latencies.at(-1) ?? "")]),
    };
    return {
      tables: [table],
      method:
        `20 quiet tenants send ${quietPerGroup} message(s) each, one every 50 ms, to a standard queue of the loopback fake SQS ` +
        `(fair-queue receive order) consumed with concurrency 10; the noisy tenant has 2,000 messages queued first, ${NOISY_HANDLER_MS} ms each to handle.`,
      notes: ["Without the cap the quiet tenants wait for one of the noisy tenant's slots to free; SQS's fair ordering then gives them the next receive."],
      bars: [],
      data,
    };
  },
};
