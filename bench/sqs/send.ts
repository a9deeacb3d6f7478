/**
 * Bench scenario "sqs-send": sending N messages three ways on the loopback fake SQS — `sendMessages`,
 * a hand-written `Promise.all` of `SendMessageCommand`s, and naive batching (chunks of 10 as
 * `SendMessageBatch`, all at once, `Failed` ignored) — at 0 and 10 ms of injected latency per call.
 * Reports messages/s (median) and SQS calls per 1,000 messages.
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { performance } from "node:perf_hooks";
import { sendMessages } from "../../src/sqs/index.js";
import type { FakeAws } from "../../src/testing/index.js";
import { seededRandom } from "../lib/random.js";
import type { BenchContext, Scenario, ScenarioResult } from "../lib/scenario.js";
import { median } from "../lib/stats.js";
import type { Table } from "../lib/table.js";
import { withFakeSqs } from "./consumer-runs.js";

type Side = "sendMessages" | "Promise.all(SendMessage)" | "naive batching";
const SIDES: readonly Side[] = ["sendMessages", "Promise.all(SendMessage)", "naive batching"];
const LATENCIES = [0, 10] as const;

interface RunResult {
  side: Side;
  latencyMs: number;
  messages: number;
  perSecond: number;
  callsPer1000: number;
  failed: number;
}

function bodies(count: number): string[] {
  const random = seededRandom(5);
  return Array.from({ length: count }, (_, i) => `${i}:` + "x".repeat(100 + Math.floor(random() * 1_900)));
}

async function runOnce(fake: FakeAws, client: SQSClient, side: Side, latencyMs: number, messages: string[], n: number): Promise<RunResult> {
  const name = `send-${n}`;
  const queueUrl = fake.sqs.createQueue(name);
  fake.sqs.faults.setLatency(latencyMs);
  fake.sqs.clearCalls();
  let failed = 0;
  const started = performance.now();
  if (side === "sendMessages") {
    const results = await sendMessages(client, queueUrl, messages.map((MessageBody) => ({ MessageBody })), { maxMessageBytes: 1_048_576 });
    failed = results.filter((r) => !r.ok).length;
  } else if (side === "Promise.all(SendMessage)") {
    const results = await Promise.allSettled(messages.map((MessageBody) => client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody }))));
    failed = results.filter((r) => r.status === "rejected").length;
  } else {
    const batches: string[][] = [];
    for (let i = 0; i < messages.length; i += 10) batches.push(messages.slice(i, i + 10));
    const outs = await Promise.allSettled(
      batches.map((batch) => client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }))),
    );
    for (const [i, out] of outs.entries()) failed += out.status === "rejected" ? batches[i]!.length : (out.value.Failed?.length ?? 0);
  }
  const seconds = (performance.now() - started) / 1000;
  fake.sqs.faults.setLatency(0);
  const calls = fake.sqs.calls.filter((c) => c.action === "SendMessage" || c.action === "SendMessageBatch").length;
  const landed = fake.sqs.messageCount(name);
  fake.sqs.deleteQueue(name);
  return { side, latencyMs, messages: landed, perSecond: messages.length / seconds, callsPer1000: Math.round((calls / messages.length) * 1000), failed };
}

export async function measureSend(options: { messages: number; repeats: number; log: (m: string) => void }): Promise<RunResult[]> {
  const messages = bodies(options.messages);
  return withFakeSqs(async (fake, client) => {
    const runs: RunResult[] = [];
    let n = 0;
    for (const side of SIDES) await runOnce(fake, client, side, 0, messages.slice(0, 500), n++); // warm-up
    for (const latencyMs of LATENCIES) {
      for (let r = 0; r < options.repeats; r += 1) {
        for (const side of r % 2 === 0 ? SIDES : [...SIDES].reverse()) {
          const run = await runOnce(fake, client, side, latencyMs, messages, n++);
          options.log(`${side}, ${latencyMs} ms latency: ${Math.round(run.perSecond)} msg/s, ${run.callsPer1000} calls/1000, ${run.failed} failed`);
          runs.push(run);
        }
      }
    }
    return runs;
  });
}

function summarize(runs: RunResult[]): Table[] {
  const rows: string[][] = [];
  for (const latencyMs of LATENCIES) {
    for (const side of SIDES) {
      const mine = runs.filter((r) => r.side === side && r.latencyMs === latencyMs);
      rows.push([
        side,
        `${latencyMs} ms`,
        Math.round(median(mine.map((r) => r.perSecond))).toLocaleString("en-US"),
        String(mine[0]?.callsPer1000 ?? ""),
        String(Math.max(...mine.map((r) => r.failed))),
      ]);
    }
  }
  return [{ title: "Sending to SQS (messages/s, median; SQS calls per 1,000 messages)", columns: ["way", "latency per call", "msg/s", "calls / 1,000", "failed"], rows }];
}

export const sqsSendScenario: Scenario = {
  async run(context: BenchContext): Promise<ScenarioResult> {
    const messages = context.quick ? 1_000 : 5_000;
    const repeats = context.quick ? 1 : 3;
    const runs = await measureSend({ messages, repeats, log: context.log });
    return {
      tables: summarize(runs),
      method:
        `${messages.toLocaleString("en-US")} messages of 100–2,000 bytes to a fresh standard queue of the loopback fake SQS, ` +
        `median of ${repeats} run(s) per cell, ways alternating; injected latency per call 0 or 10 ms (a real SQS round trip is 10–30 ms). ` +
        "sendMessages with its defaults (16 batches in flight, maxMessageBytes given); Promise.all sends every message at once " +
        "(the SDK's socket pool bounds it); naive batching sends every chunk of 10 at once and ignores `Failed`.",
      notes: ["Naive batching is as fast but checks neither sizes nor `Failed` entries: a partial failure is a lost message."],
      bars: [],
      data: runs,
    };
  },
};
