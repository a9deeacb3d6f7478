/**
 * One side of the demo: an SQS client on a given credential provider, sending messages at a fixed rate
 * (open loop, as requests reach a service) and consuming them with `consume()`, with every SendMessage's
 * latency and credential wait recorded.
 */
import { performance } from "node:perf_hooks";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { consume, type ConsumerHandle } from "../../sqs/index.js";
import type { TelemetryOption } from "../../telemetry/options.js";
import type { FakeAws } from "../../testing/index.js";
import { timeCredentialWaits } from "./credential-timer.js";
import { maximum, percentile } from "./stats.js";

export interface SideInit {
  /** Short name, e.g. `awscreds`. */
  name: string;
  /** What the side runs, e.g. `createRefresher(fromEnvGatedChain())`. */
  detail: string;
  /** The role this side assumes: its STS calls are the fake's calls with this role ARN. */
  roleArn: string;
  credentials: AwsCredentialIdentityProvider;
  fake: FakeAws;
  queueName: string;
  /** A SendMessage whose credential resolution took longer than this waited on STS. */
  waitThresholdMs: number;
  /** Called last on stop (e.g. to stop a refresher). */
  release?: () => void;
  /** The consumer's `telemetry` option (default: off, the SDK sides report nothing). */
  telemetry?: TelemetryOption;
}

/** What the status line and summary show of a side. */
export interface SideSnapshot {
  name: string;
  detail: string;
  /** Successful AssumeRoleWithWebIdentity calls for this side's role: the first fetch, then one per refresh. */
  stsCalls: number;
  /** AssumeRoleWithWebIdentity calls for this side's role that STS failed (during the outage). */
  stsFailedCalls: number;
  /** SendMessage requests completed (succeeded or failed). */
  requests: number;
  failed: number;
  /** SendMessage requests whose credential resolution took longer than the threshold. */
  waitedOnSts: number;
  credentialWaitP99Ms: number;
  credentialWaitMaxMs: number;
  requestP50Ms: number;
  requestP99Ms: number;
  /** Messages the consumer handled. */
  consumed: number;
  /** Consumer errors (polls, deletes) so far. */
  consumerErrors: number;
  lastError: string | undefined;
}

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error).slice(0, 300);

export class DemoSide {
  readonly client: SQSClient;
  readonly #init: SideInit;
  readonly #queueUrl: string;
  readonly #latencies: number[] = [];
  readonly #credentialWaits: number[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #failed = 0;
  #consumerErrors = 0;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sending = false;
  #consumer: ConsumerHandle | undefined;

  constructor(init: SideInit) {
    this.#init = init;
    this.#queueUrl = init.fake.sqs.createQueue(init.queueName);
    this.client = new SQSClient({ region: init.fake.region, endpoint: init.fake.sqs.endpoint, credentials: init.credentials });
    timeCredentialWaits(this.client, (ms, command) => {
      if (command === "SendMessageCommand") this.#credentialWaits.push(ms);
    });
  }

  /** Starts sending `ratePerSecond` messages per second and consuming them. */
  start(ratePerSecond: number): void {
    this.#consumer = consume({
      client: this.client,
      queueUrl: this.#queueUrl,
      concurrency: 5,
      telemetry: this.#init.telemetry ?? false,
      handler: async () => undefined,
      onError: (error) => {
        this.#consumerErrors += 1;
        this.#lastError = errorText(error);
      },
    });
    this.#consumer.done.catch((error: unknown) => {
      this.#lastError = errorText(error);
    });
    this.#sending = true;
    const interval = 1000 / ratePerSecond;
    const begin = performance.now();
    let sent = 0;
    const tick = (): void => {
      if (!this.#sending) return;
      const due = Math.floor((performance.now() - begin) / interval) + 1;
      while (sent < due) this.#sendOne(sent++);
      this.#timer = setTimeout(tick, Math.max(0, begin + sent * interval - performance.now()));
    };
    tick();
  }

  #sendOne(n: number): void {
    const t0 = performance.now();
    const request = this.client
      .send(new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify({ side: this.#init.name, n }) }))
      .then(
        () => void this.#latencies.push(performance.now() - t0),
        (error: unknown) => {
          this.#failed += 1;
          this.#lastError = errorText(error);
        },
      );
    this.#inFlight.add(request);
    void request.then(() => this.#inFlight.delete(request));
  }

  /** Stops sending, lets requests in flight finish (bounded), stops the consumer and releases everything. */
  async stop(): Promise<void> {
    this.#sending = false;
    if (this.#timer) clearTimeout(this.#timer);
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((resolve) => (bound = setTimeout(resolve, 10_000).unref()))]);
    clearTimeout(bound);
    await this.#consumer?.stop();
    this.#init.release?.();
    this.client.destroy();
  }

  snapshot(): SideSnapshot {
    const { fake, roleArn } = this.#init;
    const calls = fake.sts.calls.filter((c) => c.action === "AssumeRoleWithWebIdentity" && c.details.roleArn === roleArn);
    const stsCalls = calls.filter((c) => c.status === 200).length;
    return {
      name: this.#init.name,
      detail: this.#init.detail,
      stsCalls,
      stsFailedCalls: calls.length - stsCalls,
      requests: this.#latencies.length + this.#failed,
      failed: this.#failed,
      waitedOnSts: this.#credentialWaits.filter((ms) => ms > this.#init.waitThresholdMs).length,
      credentialWaitP99Ms: percentile(this.#credentialWaits, 99),
      credentialWaitMaxMs: maximum(this.#credentialWaits),
      requestP50Ms: percentile(this.#latencies, 50),
      requestP99Ms: percentile(this.#latencies, 99),
      consumed: this.#consumer?.counters.processed ?? 0,
      consumerErrors: this.#consumerErrors,
      lastError: this.#lastError,
    };
  }
}
