// Run from an empty project that installed the packed tarball: ESM consumers.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const pkg = require("awscreds/package.json");
const root = await import("awscreds");
const testing = await import("awscreds/testing");
assert.equal(typeof testing.startFakeAws, "function", "awscreds/testing exports startFakeAws (import)");
for (const name of ["fromEnvGatedChain", "fromRegionalWebIdentity", "createRefresher", "createSwapper"]) assert.equal(typeof root[name], "function", `awscreds exports ${name} (import)`);
if (pkg.exports["./redis"]) {
  const redis = await import("awscreds/redis");
  assert.equal(typeof redis.createRedisStsBudget, "function", "awscreds/redis exports createRedisStsBudget (import)");
}
if (pkg.exports["./sqs"]) {
  const sqs = await import("awscreds/sqs");
  for (const name of ["createLongPollingClient", "pollMessages", "consume"]) assert.equal(typeof sqs[name], "function", `awscreds/sqs exports ${name} (import)`);
}
const fake = await testing.startFakeAws();
assert.match(fake.sqs.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
// The lazily loaded web identity path (STS client, error classes) works from the installed package.
const provider = root.fromRegionalWebIdentity({
  roleArn: "arn:aws:iam::123456789012:role/smoke",
  webIdentityTokenFile: await fake.writeWebIdentityToken(),
  region: fake.region,
  endpoint: fake.sts.endpoint,
});
const credentials = await provider();
assert.match(credentials.accessKeyId, /^ASIA/);
assert.ok(!JSON.stringify(credentials).includes(credentials.secretAccessKey), "secrets stay out of JSON");
provider.destroy();
await assert.rejects(
  Promise.resolve().then(() => root.fromEnvGatedChain({ env: {} })),
  /APP_ENV/,
  "a missing APP_ENV is named",
);
await fake.close();
console.log("import: ok");
