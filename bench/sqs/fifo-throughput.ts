/**
 * Bench scenario "fifo": a FIFO queue with 20 message groups, through `consume` (groups in parallel, one
 * message of a group at a time) and through `sqs-consumer` 14 with `batchSize: 1`, its advice for FIFO
 * queues (#124): one message per receive, so it never runs two of a group at once. Same loopback fake SQS
 * (SigV4 verified, FIFO delivery rules), same client, WaitTimeSeconds 1. Every run checks that each group
 * was handled in send order and counts messages handled more than once.
 */
import { SendMessageBatchCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { FakeAws } from "../../src/testing/index.js";
import type { BenchContext, Scenario, ScenarioResult } from "../lib/scenario.js";
import { median } from "../lib/stats.js";
import type { Table } from "../lib/table.js";
import { rotatingRuns, simulatedWork, timeDrain, type DrainingConsumer } from "./consumer-runs.js";

const GROUPS = 20;

interface Side {
  name: string;
  /** consume's `concurrency`, or the number of sqs-consumer instances (each `batchSize: 1`). */
  parallel: number;
  kind: "consume" | "sqs-consumer";
}

const SIDES: readonly Side[] = [
  { name: "consume, concurrency 10", parallel: 10, kind: "consume" },
  { name: "sqs-consumer, batchSize 1", parallel: 1, kind: "sqs-consumer" },
  { name: "sqs-consumer, batchSize 1 × 10 instances", parallel: 10, kind: "sqs-consumer" },
];

const PROFILES = [
  { name: "no-op handler", handlerMs: 0 },
  { name: "5 ms handler", handlerMs: 5 },
] as const;

interface RunResult {
  side: string;
  profile: string;
  messages: number;
  seconds: number;
  perSecond: number;
  /** Groups whose messages were not handled in send order. */
  groupsOutOfOrder: number;
  /** Handler calls beyond one per message. */
  duplicates: number;
  /** SQS calls (receives, deletes, visibility changes) per message. */
  callsPerMessage: number;
}

/** Loads `perGroup` messages into each of 20 groups: a group's batches in order, groups side by side. */
async function load(client: SQSClient, queueUrl: string, perGroup: number): Promise<void> {
  let nextGroup = 0;
  const worker = async (): Promise<void> => {
    while (nextGroup < GROUPS) {
      const group = nextGroup++;
      for (let i = 0; i < perGroup; i += 10) {
        const size = Math.min(10, perGroup - i);
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: size }, (_, j) => ({
              Id: String(j),
              MessageBody: `${group}:${i + j}`,
              MessageGroupId: `g${group}`,
              MessageDeduplicationId: `${group}-${i + j}`,
            })),
          }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function runOnce(fake: FakeAws, client: SQSClient, side: Side, handlerMs: number, perGroup: number, n: number): Promise<Omit<RunResult, "profile">> {
  const name = `fifo-bench-${n}.fifo`;
  const queueUrl = fake.sqs.createQueue(name, { FifoQueue: "true" });
  await load(client, queueUrl, perGroup);
  fake.sqs.clearCalls();
  const messages = GROUPS * perGroup;
  const seen = new Map<string, number[]>();
  let handled = 0;
  const handle = async (message: Message): Promise<void> => {
    handled += 1;
    const [group, index] = (message.Body ?? "?:0").split(":");
    const list = seen.get(group!) ?? [];
    list.push(Number(index));
    seen.set(group!, list);
    await simulatedWork(handlerMs);
  };
  const consumer: DrainingConsumer =
    side.kind === "consume" ? { kind: "consume", concurrency: side.parallel } : { kind: "sqs-consumer", instances: side.parallel, batchSize: 1, fifo: true };
  const deleted = (): boolean => fake.sqs.counts(name).deleted >= messages;
  const seconds = await timeDrain(client, queueUrl, consumer, handle, deleted, 300_000);
  const calls = fake.sqs.calls.filter((c) => c.details.queueUrl === queueUrl).length;
  fake.sqs.deleteQueue(name);
  const groupsOutOfOrder = [...seen.values()].filter((list) => list.some((v, i) => i > 0 && v < list[i - 1]!)).length;
  return { side: side.name, messages, seconds, perSecond: messages / seconds, groupsOutOfOrder, duplicates: handled - messages, callsPerMessage: calls / messages };
}

/** Every side × profile, `repeats` times (sides rotating), after one warm-up run per side. */
export async function measureFifoThroughput(options: { perGroup: number; repeats: number; log: (m: string) => void }): Promise<RunResult[]> {
  return rotatingRuns({
    sides: SIDES,
    cells: PROFILES,
    repeats: options.repeats,
    warmUp: (fake, client, side, n) => runOnce(fake, client, side, 0, 5, n),
    run: async (fake, client, side, profile, n) => ({ ...(await runOnce(fake, client, side, profile.handlerMs, options.perGroup, n)), profile: profile.name }),
    log: (run, side, profile) => options.log(`${profile.name}, ${side.name}: ${Math.round(run.perSecond)} msg/s, ${run.groupsOutOfOrder} group(s) out of order`),
  });
}

function summarize(runs: RunResult[]): Table[] {
  const rows: string[][] = [];
  for (const profile of PROFILES) {
    const baseline = median(runs.filter((r) => r.profile === profile.name && r.side === SIDES[1]!.name).map((r) => r.perSecond));
    for (const side of SIDES) {
      const mine = runs.filter((r) => r.profile === profile.name && r.side === side.name);
      const rate = median(mine.map((r) => r.perSecond));
      rows.push([
        profile.name,
        side.name,
        Math.round(rate).toLocaleString("en-US"),
        `${(rate / baseline).toFixed(1)}×`,
        mine.every((r) => r.groupsOutOfOrder === 0) ? "yes" : `no (${Math.max(...mine.map((r) => r.groupsOutOfOrder))} groups)`,
        String(Math.max(...mine.map((r) => r.duplicates))),
        median(mine.map((r) => r.callsPerMessage)).toFixed(2),
      ]);
    }
  }
  return [
    {
      title: `FIFO queue, ${GROUPS} message groups (messages/s, median; vs sqs-consumer batchSize 1)`,
      columns: ["handler", "consumer", "msg/s", "vs batchSize 1", "order kept", "duplicates", "SQS calls/msg"],
      rows,
      numericColumns: [2, 3, 5, 6],
    },
  ];
}

export const fifoThroughputScenario: Scenario = {
  async run(context: BenchContext): Promise<ScenarioResult> {
    const perGroup = context.quick ? 25 : 100;
    const repeats = context.quick ? 1 : 3;
    const runs = await measureFifoThroughput({ perGroup, repeats, log: context.log });
    return {
      tables: summarize(runs),
      method:
        `Each run loads ${GROUPS} groups × ${perGroup} messages into a fresh FIFO queue of the loopback fake SQS ` +
        "(SigV4-verified; a group is held while any of its messages is in flight), starts the consumer(s) and times until " +
        `every message is deleted; median of ${repeats} run(s) per cell, sides rotating. WaitTimeSeconds 1 everywhere. ` +
        "sqs-consumer 14 with batchSize 1 is its advice for FIFO queues (#124); 10 such instances on one queue also keep " +
        "order (SQS hands each a different group) and match consume's concurrency 10.",
      notes: [
        "consume receives up to 10 messages per call and runs the groups side by side; sqs-consumer with batchSize 1 makes " +
          "one receive and one delete per message, one message at a time per instance.",
      ],
      bars: [],
      data: runs,
    };
  },
};
