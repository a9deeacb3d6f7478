/**
 * Scenario 4: the cost of one credential resolution through a v3 client once everything is warm
 * (one-hour credentials, nothing to refresh): what every request pays before it is signed.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { startFakeAws } from "../../src/testing/index.js";
import { withEnv } from "../lib/env.js";
import { formatNs } from "../lib/format.js";
import type { BarCheck, Scenario } from "../lib/scenario.js";
import { buildSides, sdkChainEnv } from "../lib/sides.js";
import { median } from "../lib/stats.js";

interface Target {
  label: string;
  side: "sdk" | "awscreds" | "reference";
  resolve(): Promise<unknown>;
}

async function nsPerCall(target: Target, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) await target.resolve();
  return Number(process.hrtime.bigint() - start) / iterations;
}

export const hotPathScenario: Scenario = {
  async run(context) {
    const iterations = context.quick ? 20_000 : 200_000;
    const runs = context.quick ? 3 : 7;
    const fake = await startFakeAws({ sts: { credentialLifetimeSeconds: 3600 } });
    try {
      const tokenFile = await fake.writeWebIdentityToken();
      return await withEnv(sdkChainEnv(fake, tokenFile), async () => {
        const sides = buildSides({ fake, tokenFile });
        const keys = fake.registerStaticKeys();
        const staticClient = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } });
        try {
          await Promise.all(sides.map((s) => s.warm()));
          const targets: Target[] = [
            ...sides.map((s) => ({ label: s.label, side: s.side, resolve: s.resolve })),
            { label: "reference: a static credentials object", side: "reference", resolve: () => staticClient.config.credentials() },
          ];
          const samples = targets.map(() => [] as number[]);
          // Round-robin with one discarded warm-up round (JIT), so drift and GC hit every target alike.
          for (let round = 0; round <= runs; round += 1) {
            for (const [i, t] of targets.entries()) {
              const ns = await nsPerCall(t, iterations);
              if (round > 0) samples[i]!.push(ns);
            }
          }
          context.log(`hot-path: ${targets.length} targets × ${runs} runs × ${iterations} calls`);
          const med = samples.map((s) => median(s));
          const spread = samples.map((s) => [Math.min(...s), Math.max(...s)] as const);

          const sdkTokenFile = targets.findIndex((t) => t.label === "SDK: fromTokenFile");
          const sdkNs = sdkTokenFile >= 0 ? med[sdkTokenFile]! : Number.NaN;
          const ours = targets.map((t, i) => ({ t, ns: med[i]! })).filter((x) => x.t.side === "awscreds");
          const bars: BarCheck[] = [
            {
              bar: "Per-call cost through a v3 client at most the SDK's memoized provider (~400 ns)",
              measured: `${ours.map((o) => `${o.t.label.replace(/^awscreds: /, "")}: ${formatNs(o.ns)}`).join("; ")}; SDK fromTokenFile: ${formatNs(sdkNs)}`,
              met: ours.length > 0 && Number.isFinite(sdkNs) ? ours.every((o) => o.ns <= sdkNs * 1.05) : undefined,
            },
          ];
          const notes = ours
            .filter((o) => o.ns > sdkNs)
            .map((o) => `${o.t.label} costs ${formatNs(o.ns - sdkNs)} more per resolution than SDK fromTokenFile's memoized path in this run.`);

          return {
            tables: [
              {
                title: `Warm resolution through a client, median of ${runs} runs × ${iterations.toLocaleString("en-US")} sequential calls`,
                columns: ["provider (behind an SQSClient)", "ns per resolution", "min run", "max run"],
                rows: targets.map((t, i) => [t.label, formatNs(med[i]!), formatNs(spread[i]![0]), formatNs(spread[i]![1])]),
              },
            ],
            method:
              "Each provider sits behind its own `SQSClient`, already holding one-hour credentials. A run is " +
              `${iterations.toLocaleString("en-US")} sequential \`await client.config.credentials()\` calls timed with \`process.hrtime.bigint()\`; ` +
              `targets run round-robin after one discarded warm-up round; the median of ${runs} runs is shown with the fastest and slowest run. ` +
              "The static-object row is the floor the client's own wrappers impose.",
            notes,
            bars,
            data: { iterations, runs, targets: targets.map((t, i) => ({ label: t.label, side: t.side, samples: samples[i], median: med[i] })) },
          };
        } finally {
          for (const s of sides) s.close();
          staticClient.destroy();
        }
      });
    } finally {
      await fake.close();
    }
  },
};
