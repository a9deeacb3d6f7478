/**
 * The run loop the SQS consumer benches share ("sqs" in throughput.ts, "fifo" in fifo-throughput.ts): a
 * loopback fake SQS and a client for the whole measurement, one warm-up run per side, then every cell
 * `repeats` times with the sides rotating (so neither always runs first); and one timed run: start a
 * consumer (`consume`, or sqs-consumer 14 instances), time until every message is deleted, stop it.
 */
import { SQSClient, type Message } from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";
import { performance } from "node:perf_hooks";
import { consume } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Simulated handler I/O: `ms` of waiting, or (0) only a yield to the event loop. */
export const simulatedWork = (ms: number): Promise<void> => (ms > 0 ? pause(ms) : new Promise((resolve) => setImmediate(resolve)));

/** Resolves once `predicate` holds (checked every 5 ms); throws after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`bench run did not finish within ${timeoutMs} ms`);
    await pause(5);
  }
}

/** Runs `measure` against a fresh loopback fake AWS and an SQS client signed for it; both closed after. */
export async function withFakeSqs<T>(measure: (fake: FakeAws, client: SQSClient) => Promise<T>): Promise<T> {
  const fake = await startFakeAws();
  const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: fake.registerStaticKeys() });
  try {
    return await measure(fake, client);
  } finally {
    client.destroy();
    await fake.close();
  }
}

export interface RotatingRuns<Side, Cell, Run> {
  sides: readonly Side[];
  /** What each side is measured under (handler profile, concurrency…), in report order. */
  cells: readonly Cell[];
  repeats: number;
  /** One unreported run of a side (JIT, sockets, the fake's code paths); `n` numbers the run. */
  warmUp: (fake: FakeAws, client: SQSClient, side: Side, n: number) => Promise<unknown>;
  run: (fake: FakeAws, client: SQSClient, side: Side, cell: Cell, n: number) => Promise<Run>;
  log: (run: Run, side: Side, cell: Cell) => void;
}

/** Warm-up for every side, then every cell × `repeats` × side (sides rotating by repeat); all runs, in order. */
export async function rotatingRuns<Side, Cell, Run>(spec: RotatingRuns<Side, Cell, Run>): Promise<Run[]> {
  const { sides, cells, repeats } = spec;
  return withFakeSqs(async (fake, client) => {
    const runs: Run[] = [];
    let n = 0;
    for (const side of sides) await spec.warmUp(fake, client, side, n++);
    for (const cell of cells) {
      for (let r = 0; r < repeats; r++) {
        for (const side of sides.map((_, i) => sides[(i + r) % sides.length]!)) {
          const run = await spec.run(fake, client, side, cell, n++);
          spec.log(run, side, cell);
          runs.push(run);
        }
      }
    }
    return runs;
  });
}

/** A consumer under test: `consume` at `concurrency`, or `instances` sqs-consumer instances of `batchSize`. */
export type DrainingConsumer = { kind: "consume"; concurrency: number } | { kind: "sqs-consumer"; instances: number; batchSize: number; fifo?: boolean };

/**
 * Starts `consumer` on `queueUrl` (WaitTimeSeconds 1 for both kinds), waits until `drained()` holds (at most
 * `timeoutMs`), stops it, and returns the seconds from start to drained (the stop is not timed).
 */
export async function timeDrain(
  client: SQSClient,
  queueUrl: string,
  consumer: DrainingConsumer,
  handle: (message: Message) => Promise<void>,
  drained: () => boolean,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  if (consumer.kind === "consume") {
    const running = consume({ client, queueUrl, concurrency: consumer.concurrency, WaitTimeSeconds: 1, handler: handle });
    await until(drained, timeoutMs);
    const seconds = (performance.now() - started) / 1000;
    await running.stop();
    return seconds;
  }
  const instances = Array.from({ length: consumer.instances }, () =>
    Consumer.create({
      queueUrl,
      sqs: client,
      batchSize: consumer.batchSize,
      waitTimeSeconds: 1,
      suppressFifoWarning: consumer.fifo === true,
      handleMessage: async (message) => {
        await handle(message);
        return message;
      },
    }),
  );
  for (const instance of instances) {
    // sqs-consumer emits "error" for the requests that stop({ abort: true }) cancels; without a listener it logs them.
    instance.on("error", () => undefined);
    instance.start();
  }
  await until(drained, timeoutMs);
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(
    instances.map(
      (instance) =>
        new Promise<void>((resolve) => {
          instance.once("stopped", () => resolve());
          instance.stop({ abort: true });
        }),
    ),
  );
  return seconds;
}
