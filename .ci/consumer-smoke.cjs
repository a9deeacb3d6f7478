// Run from an empty project that installed the packed tarball: CommonJS consumers.
const assert = require("node:assert/strict");
const pkg = require("awscreds/package.json");
const root = require("awscreds");
const testing = require("awscreds/testing");
assert.equal(typeof testing.startFakeAws, "function", "awscreds/testing exports startFakeAws (require)");
for (const name of ["fromEnvGatedChain", "fromRegionalWebIdentity", "createRefresher", "createSwapper"]) assert.equal(typeof root[name], "function", `awscreds exports ${name} (require)`);
if (pkg.exports["./redis"]) {
  const redis = require("awscreds/redis");
  assert.equal(typeof redis.createRedisStsBudget, "function", "awscreds/redis exports createRedisStsBudget (require)");
}
if (pkg.exports["./sqs"]) {
  const sqs = require("awscreds/sqs");
  for (const name of ["createLongPollingClient", "pollMessages", "consume"]) assert.equal(typeof sqs[name], "function", `awscreds/sqs exports ${name} (require)`);
}
(async () => {
  const fake = await testing.startFakeAws();
  assert.match(fake.sts.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
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
  assert.throws(() => root.fromEnvGatedChain({ env: {} }), /APP_ENV/, "a missing APP_ENV is named");
  await fake.close();
  console.log("require: ok");
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
