/**
 * Standalone: `npx tsx bench/sqs-consumer.bench.ts [--quick]` — consume vs sqs-consumer on the fake SQS.
 * The same scenario runs as number 7 ("sqs") of `npm run bench`.
 */
import { renderText } from "./lib/table.js";
import { sqsThroughputScenario } from "./sqs/throughput.js";

for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];

const quick = process.argv.includes("--quick");
const result = await sqsThroughputScenario.run({ quick, log: (m) => process.stderr.write(`[bench] ${m}\n`) });
for (const table of result.tables) process.stdout.write(`${renderText(table)}\n\n`);
process.stdout.write(`${result.method}\n`);
for (const note of result.notes) process.stdout.write(`- ${note}\n`);
