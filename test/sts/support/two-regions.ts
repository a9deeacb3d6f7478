/**
 * Two regional fake STS over real TLS with the real hostnames: `sts.eu-west-1.amazonaws.com` (the primary)
 * and `sts.eu-central-1.amazonaws.com` (and their `sts-fips.` names), each a `startFakeAws()` serving a certificate from a test CA. The
 * routing agent resolves each hostname to 127.0.0.1 (custom `lookup`) and connects to that region's fake,
 * or, while the primary "refuses connections", to a port nothing listens on.
 */
import { createServer } from "node:net";
import { startFakeAws, type FakeAws, type StartFakeAwsOptions } from "../../../src/testing/index.js";
import type { Logger } from "../../../src/shared/logger.js";
import { makeTestPki, routingAgent, type RoutingAgent } from "../../sources/support/tls.js";

export const PRIMARY_HOST = "sts.eu-west-1.amazonaws.com";
export const SECONDARY_HOST = "sts.eu-central-1.amazonaws.com";
export const FIPS_PRIMARY_HOST = "sts-fips.eu-west-1.amazonaws.com";
export const FIPS_SECONDARY_HOST = "sts-fips.eu-central-1.amazonaws.com";

export type Outage = "503" | "hang" | "refuse";

export interface TwoRegions {
  primary: FakeAws;
  secondary: FakeAws;
  /** A fresh agent (call per test); destroy it after. */
  routing(): RoutingAgent;
  /** Takes the primary down: 503 to every call, every call hanging, or connections refused. */
  startOutage(kind: Outage): void;
  endOutage(): void;
  close(): Promise<void>;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts both fakes (same STS options) on loopback. */
export async function startTwoRegions(sts: Omit<NonNullable<StartFakeAwsOptions["sts"]>, "tls"> = {}): Promise<TwoRegions> {
  const pki = await makeTestPki([PRIMARY_HOST, SECONDARY_HOST, FIPS_PRIMARY_HOST, FIPS_SECONDARY_HOST]);
  const tls = { key: pki.key, cert: pki.cert };
  const [primary, secondary] = await Promise.all([
    startFakeAws({ region: "eu-west-1", sts: { ...sts, tls } }),
    startFakeAws({ region: "eu-central-1", sts: { ...sts, tls } }),
  ]);
  const refused = await closedPort();
  const portOf = (fake: FakeAws): number => Number(new URL(fake.sts.endpoint).port);
  let refusing = false;
  let current: RoutingAgent | undefined;
  return {
    primary,
    secondary,
    routing() {
      current = routingAgent({
        caCert: pki.caCert,
        port: refused,
        portFor: (host) =>
          host === PRIMARY_HOST || host === FIPS_PRIMARY_HOST
            ? refusing
              ? refused
              : portOf(primary)
            : host === SECONDARY_HOST || host === FIPS_SECONDARY_HOST
              ? portOf(secondary)
              : refused,
      });
      return current;
    },
    startOutage(kind) {
      if (kind === "503") primary.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 503, code: "ServiceUnavailable", message: "Service is unavailable (test outage)" });
      else if (kind === "hang") primary.sts.faults.hangNext(Number.POSITIVE_INFINITY);
      else {
        refusing = true;
        // Down means the open keep-alive connections go too, not only new ones.
        current?.agent.destroy();
      }
    },
    endOutage() {
      refusing = false;
      primary.sts.faults.restore();
    },
    close: async () => {
      await Promise.all([primary.close(), secondary.close()]);
    },
  };
}

/** A logger that keeps every line, with its level. */
export function captureLog(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: unknown) => void lines.push(`${level} ${String(message)}`);
  return { lines, logger: { debug: () => undefined, info: push("info"), warn: push("warn"), error: push("error") } };
}
