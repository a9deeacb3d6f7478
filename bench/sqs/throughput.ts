/**
 * Bench scenario "sqs": messages per second through `consume` and through `sqs-consumer` 14, on the same
 * loopback fake SQS (SigV4 verified, real visibility), at equal concurrency. Each run loads a fresh queue
 * with SendMessageBatch, starts the consumer, and times until every message is deleted.
 *
 * Equal concurrency: sqs-consumer handles one receive (up to `batchSize` ≤ 10 messages) at a time, so
 * concurrency 10 is one instance with batchSize 10, and 20 is two such instances on the same queue.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { FakeAws } from "../../src/testing/index.js";
import type { BenchContext, Scenario, ScenarioResult } from "../lib/scenario.js";
import { median } from "../lib/stats.js";
import type { Table } from "../lib/table.js";
import { rotatingRuns, simulatedWork, timeDrain, type DrainingConsumer } from "./consumer-runs.js";

type Side = "consume" | "sqs-consumer";

interface Profile {
  name: string;
  /** Simulated handler I/O, ms (0: the handler only yields to the event loop). */
  handlerMs: number;
}

interface RunResult {
  side: Side;
  concurrency: number;
  profile: string;
  messages: number;
  seconds: number;
  perSecond: number;
  /** SQS calls per 1,000 messages, by action. */
  callsPer1000: Record<string, number>;
}

const PROFILES: readonly Profile[] = [
  { name: "no-op handler", handlerMs: 0 },
  { name: "5 ms handler", handlerMs: 5 },
];
const CONCURRENCIES = [10, 20] as const;

async function load(client: SQSClient, queueUrl: string, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const start = next;
      next += 10;
      const size = Math.min(10, count - start);
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: size }, (_, j) => ({ Id: String(j), MessageBody: `message ${start + j}` })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function runOnce(fake: FakeAws, client: SQSClient, side: Side, concurrency: number, profile: Profile, messages: number, n: number): Promise<RunResult> {
  const name = `bench-${side}-${concurrency}-${profile.handlerMs}-${n}`;
  const queueUrl = fake.sqs.createQueue(name);
  await load(client, queueUrl, messages);
  fake.sqs.clearCalls();
  // Equal concurrency: sqs-consumer handles one receive of up to 10 at a time, so 20 is two instances.
  const consumer: DrainingConsumer =
    side === "consume" ? { kind: "consume", concurrency } : { kind: "sqs-consumer", instances: Math.ceil(concurrency / 10), batchSize: Math.min(10, concurrency) };
  const deleted = (): boolean => fake.sqs.counts(name).deleted >= messages;
  const seconds = await timeDrain(client, queueUrl, consumer, () => simulatedWork(profile.handlerMs), deleted, 120_000);
  return result(fake, side, concurrency, profile, messages, seconds, name);
}

function result(fake: FakeAws, side: Side, concurrency: number, profile: Profile, messages: number, seconds: number, queue: string): RunResult {
  const callsPer1000: Record<string, number> = {};
  for (const call of fake.sqs.calls) {
    if (call.details.queueUrl !== undefined && !String(call.details.queueUrl).endsWith(`/${queue}`)) continue;
    callsPer1000[call.action] = (callsPer1000[call.action] ?? 0) + 1;
  }
  for (const action of Object.keys(callsPer1000)) callsPer1000[action] = Math.round((callsPer1000[action]! / messages) * 1000);
  fake.sqs.deleteQueue(queue);
  return { side, concurrency, profile: profile.name, messages, seconds, perSecond: messages / seconds, callsPer1000 };
}

/** Runs every side × concurrency × profile, `repeats` times (sides alternating), and returns all runs. */
export async function measureSqsThroughput(options: { messages: number; repeats: number; log: (m: string) => void }): Promise<RunResult[]> {
  return rotatingRuns({
    sides: ["consume", "sqs-consumer"] as const,
    cells: PROFILES.flatMap((profile) => CONCURRENCIES.map((concurrency) => ({ profile, concurrency }))),
    repeats: options.repeats,
    warmUp: (fake, client, side, n) => runOnce(fake, client, side, 10, PROFILES[0]!, 500, n),
    run: (fake, client, side, { profile, concurrency }, n) => runOnce(fake, client, side, concurrency, profile, options.messages, n),
    log: (run, side, { profile, concurrency }) => options.log(`${profile.name}, concurrency ${concurrency}, ${side}: ${Math.round(run.perSecond)} msg/s`),
  });
}

function summarize(runs: RunResult[]): Table[] {
  const rows: string[][] = [];
  for (const profile of PROFILES) {
    for (const concurrency of CONCURRENCIES) {
      const rate = (side: Side): number =>
        median(runs.filter((r) => r.side === side && r.concurrency === concurrency && r.profile === profile.name).map((r) => r.perSecond));
      const calls = (side: Side): string => {
        const one = runs.find((r) => r.side === side && r.concurrency === concurrency && r.profile === profile.name);
        if (!one) return "";
        const c = one.callsPer1000;
        const deletes = (c.DeleteMessageBatch ?? 0) + (c.DeleteMessage ?? 0);
        return `${c.ReceiveMessage ?? 0} / ${deletes}`;
      };
      const a = rate("consume");
      const b = rate("sqs-consumer");
      rows.push([
        profile.name,
        String(concurrency),
        Math.round(a).toLocaleString("en-US"),
        Math.round(b).toLocaleString("en-US"),
        `${(a / b).toFixed(2)}×`,
        calls("consume"),
        calls("sqs-consumer"),
      ]);
    }
  }
  return [
    {
      title: "SQS consumer throughput (messages/s, median; calls per 1,000 messages: receives / deletes)",
      columns: ["handler", "concurrency", "consume", "sqs-consumer", "ratio", "consume calls", "sqs-consumer calls"],
      rows,
      numericColumns: [1, 2, 3, 4, 5, 6],
    },
  ];
}

export const sqsThroughputScenario: Scenario = {
  async run(context: BenchContext): Promise<ScenarioResult> {
    const messages = context.quick ? 1_000 : 5_000;
    const repeats = context.quick ? 1 : 3;
    const runs = await measureSqsThroughput({ messages, repeats, log: context.log });
    return {
      tables: summarize(runs),
      method:
        `Each run loads ${messages.toLocaleString("en-US")} messages into a fresh queue of the loopback fake SQS (SigV4-verified), ` +
        "starts the consumer and times until every message is deleted; median of " +
        `${repeats} run(s) per cell, sides alternating. Same client settings and WaitTimeSeconds 1 for both. ` +
        "sqs-consumer 14 (handleMessage, one DeleteMessage per message) handles one receive of up to 10 at a time, " +
        "so concurrency 20 is two instances; consume runs with `concurrency` 10 or 20.",
      notes: [
        "Loopback numbers measure the consumers' own overhead and call pattern, not SQS: real SQS round trips (10–30 ms) " +
          "make the call pattern (pipelined polls, batched deletes) matter more, not less.",
      ],
      bars: [],
      data: runs,
    };
  },
};
