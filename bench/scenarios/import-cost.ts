/**
 * Scenario 5: what loading the library costs a process at start-up, measured in fresh Node processes
 * against the BUILT package (`dist/`, resolved by its package name as a user's code would), next to the
 * SDK's `@aws-sdk/credential-providers`.
 */
import { startFakeAws } from "../../src/testing/index.js";
import { ensureBuilt } from "../lib/build.js";
import { runNode } from "../lib/child.js";
import { emptySharedConfigFiles, scrubbedEnv } from "../lib/env.js";
import { repoRoot } from "../lib/machine.js";
import type { BarCheck, Scenario } from "../lib/scenario.js";
import { interquartileRange, median } from "../lib/stats.js";

type Format = "esm" | "cjs";

const WHY_SLOWER =
  "The first web identity fetch loads `@aws-sdk/client-sts` and `@smithy/node-http-handler` lazily (with `require()` where " +
  "the package resolves from awscreds, else `import()` so bundlers can follow it). A gap of more than 10% that persists across runs " +
  "is worth a look; only the first fetch pays it, the steady state (scenarios 1–4) is unaffected.";

interface Variant {
  name: string;
  format: Format;
  /** Package to load; undefined for bare Node. */
  specifier?: string;
  /** JS expression building a provider from `mod` (the loaded module). */
  construct?: string;
}

/** What a child prints: times since the script began (ms) and memory after the first credentials. */
interface ChildReport {
  importMs: number;
  firstMs: number;
  rssMiB: number;
}

function childCode(variant: Variant): string {
  const load =
    variant.specifier === undefined
      ? "const mod = {};"
      : variant.format === "esm"
        ? `const mod = await import(${JSON.stringify(variant.specifier)});`
        : `const mod = require(${JSON.stringify(variant.specifier)});`;
  const body = [
    "const t0 = performance.now();",
    load,
    "const t1 = performance.now();",
    variant.construct ? `const creds = await (${variant.construct})();` : "const creds = { accessKeyId: 'none' };",
    "if (!creds || !creds.accessKeyId) throw new Error('no credentials');",
    "const t2 = performance.now();",
    "process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t0, rssMiB: process.memoryUsage().rss / 1048576 }));",
  ].join("\n");
  return variant.format === "esm" ? body : `(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });`;
}

function variants(): Variant[] {
  const out: Variant[] = [{ name: "node alone (baseline)", format: "esm" }];
  for (const format of ["esm", "cjs"] as const) {
    out.push(
      { name: "awscreds, local mode (fromEnvGatedChain)", format, specifier: "awscreds", construct: "mod.fromEnvGatedChain()" },
      { name: "@aws-sdk/credential-providers (fromEnv)", format, specifier: "@aws-sdk/credential-providers", construct: "mod.fromEnv()" },
      {
        name: "awscreds, web identity (fromRegionalWebIdentity)",
        format,
        specifier: "awscreds",
        construct: "mod.fromRegionalWebIdentity({ endpoint: process.env.BENCH_STS_ENDPOINT })",
      },
      {
        name: "@aws-sdk/credential-providers (fromTokenFile)",
        format,
        specifier: "@aws-sdk/credential-providers",
        construct: "mod.fromTokenFile({ clientConfig: { endpoint: process.env.BENCH_STS_ENDPOINT, region: process.env.AWS_REGION } })",
      },
    );
  }
  return out;
}

export const importCostScenario: Scenario = {
  async run(context) {
    ensureBuilt(repoRoot, context.log);
    const runs = context.quick ? 3 : 11;
    const fake = await startFakeAws();
    try {
      const tokenFile = await fake.writeWebIdentityToken();
      const env: NodeJS.ProcessEnv = {
        ...scrubbedEnv(process.env),
        ...emptySharedConfigFiles(),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_REGION: fake.region,
        APP_ENV: "local",
        // The AWS documentation's example key pair: local mode only reads it, nothing is signed with it.
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_ROLE_ARN: `arn:aws:iam::${fake.accountId}:role/bench-import`,
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
        AWS_ROLE_SESSION_NAME: "bench-import",
        BENCH_STS_ENDPOINT: fake.sts.endpoint,
      };
      const list = variants();
      const samples = list.map(() => [] as (ChildReport & { wallMs: number })[]);
      const errors = list.map(() => undefined as string | undefined);
      // Round-robin with one discarded warm-up round, so file-cache warm-up and drift hit every variant alike.
      for (let round = 0; round <= runs; round += 1) {
        for (const [i, variant] of list.entries()) {
          if (errors[i] !== undefined) continue;
          const args = variant.format === "esm" ? ["--input-type=module", "-e", childCode(variant)] : ["-e", childCode(variant)];
          const run = await runNode(args, { cwd: repoRoot, env });
          if (run.code !== 0) {
            errors[i] = run.stderr.split("\n").find((l) => /Error|error/.test(l))?.trim() ?? `exit code ${run.code}`;
            continue;
          }
          if (round > 0) samples[i]!.push({ ...(JSON.parse(run.stdout) as ChildReport), wallMs: run.wallMs });
        }
        context.log(`import: round ${round}/${runs} done`);
      }

      const med = samples.map((s) => ({
        importMs: median(s.map((x) => x.importMs)),
        importIqr: interquartileRange(s.map((x) => x.importMs)),
        firstMs: median(s.map((x) => x.firstMs)),
        wallMs: median(s.map((x) => x.wallMs)),
        rssMiB: median(s.map((x) => x.rssMiB)),
      }));
      const baseWall = med[0]!.wallMs;
      const rows = list.map((v, i) => {
        const m = med[i]!;
        if (errors[i] !== undefined) return [v.name, v.format.toUpperCase(), "failed", "–", "–", "–", "–"];
        return [
          v.name,
          v.format.toUpperCase(),
          i === 0 ? "–" : `${m.importMs.toFixed(1)} (${m.importIqr[0].toFixed(1)}–${m.importIqr[1].toFixed(1)})`,
          m.firstMs.toFixed(1),
          m.wallMs.toFixed(0),
          i === 0 ? "–" : `+${(m.wallMs - baseWall).toFixed(0)}`,
          m.rssMiB.toFixed(0),
        ];
      });

      const find = (name: string, format: Format): { importMs: number; importIqr: readonly [number, number]; firstMs: number } | undefined => {
        const i = list.findIndex((v) => v.name.startsWith(name) && v.format === format);
        return i >= 0 && errors[i] === undefined ? med[i] : undefined;
      };
      const bars: BarCheck[] = [];
      const notes: string[] = [];
      const missing: string[] = [];
      let anySlower = false;
      for (const format of ["esm", "cjs"] as const) {
        const ours = find("awscreds, local", format);
        const sdk = find("@aws-sdk/credential-providers (fromEnv)", format);
        bars.push({
          bar: `Importing awscreds costs less than importing @aws-sdk/credential-providers (${format.toUpperCase()})`,
          measured:
            ours && sdk
              ? `${ours.importMs.toFixed(1)} ms vs ${sdk.importMs.toFixed(1)} ms` +
                (ours.importIqr[1] >= sdk.importIqr[0] && sdk.importIqr[1] >= ours.importIqr[0] ? " (interquartile ranges overlap: within noise)" : "")
              : "not measured",
          met: ours && sdk ? ours.importMs < sdk.importMs : undefined,
        });
        const ourWi = find("awscreds, web identity", format);
        const sdkWi = find("@aws-sdk/credential-providers (fromTokenFile)", format);
        if (ourWi && sdkWi) {
          // Fresh-process medians vary by a few ms between runs: call it slower only beyond 10%.
          const slower = ourWi.firstMs > sdkWi.firstMs * 1.1;
          const verdict = slower ? " — awscreds is slower here." : ourWi.firstMs > sdkWi.firstMs ? " (within 10%: noise on this machine)." : ".";
          notes.push(
            `${format.toUpperCase()} web identity, import to first credentials: awscreds ${ourWi.firstMs.toFixed(1)} ms, ` +
              `SDK fromTokenFile ${sdkWi.firstMs.toFixed(1)} ms${verdict}`,
          );
          if (slower) anySlower = true;
        }
      }
      if (anySlower) notes.push(WHY_SLOWER);
      list.forEach((v, i) => {
        if (errors[i] !== undefined) missing.push(`${v.name} (${v.format}): ${errors[i]}`);
      });

      return {
        tables: [
          {
            title: `Start-up cost, median of ${runs} fresh processes each`,
            columns: ["what the process loads", "format", "import, ms (IQR)", "import → first credentials (ms)", "process wall (ms)", "vs bare node (ms)", "RSS (MiB)"],
            rows,
          },
        ],
        method:
          `Each row is a fresh \`node\` process (no flags, cwd = the package, so \`awscreds\` resolves to the built \`dist/\` through its ` +
          "`exports`, as it does for users). *import* is the time the `import()`/`require()` itself takes, measured inside the process; " +
          "*import → first credentials* adds constructing the provider and resolving once (local mode: from environment keys; web identity: " +
          "one `AssumeRoleWithWebIdentity` against the fake STS on loopback, no added latency); *process wall* is spawn to exit, measured by " +
          `the parent. Variants run round-robin after one discarded warm-up round; medians of ${runs} runs, with the interquartile range of the import time.`,
        notes,
        bars,
        data: { runs, variants: list.map((v, i) => ({ ...v, samples: samples[i], median: med[i], error: errors[i] })) },
        missing,
      };
    } finally {
      await fake.close();
    }
  },
};
