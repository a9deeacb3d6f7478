/**
 * `awscreds/testing`: wire-faithful fakes of STS, SQS, IMDSv2 and the container credentials endpoint,
 * on loopback, for tests that drive the real AWS SDK v3 clients.
 *
 * @packageDocumentation
 * @module awscreds/testing
 */
export { startFakeAws } from "./fake-aws.js";
export type { FakeAws, StartFakeAwsOptions, FakeServiceHandle } from "./fake-aws.js";
export type { FakeContext } from "./core/context.js";
export type { CallRecord } from "./core/call-log.js";
export type { FaultControls, FaultError, FaultScope } from "./core/faults.js";
export type { KnownCredentials } from "./core/credential-store.js";
export type { FakeTokenClaims } from "./core/jwt.js";
export { makeFakeWebIdentityToken } from "./core/jwt.js";
export { makeFakeSamlAssertion } from "./core/saml.js";
export type { FakeSamlAssertionInit } from "./core/saml.js";
export type { FakeStsHandle, FakeStsOptions, IssuedStsCredentials } from "./sts/service.js";
export type { FakeRoleSettings } from "./sts/roles.js";
export type { FakeStsRateLimit } from "./sts/rate-limit.js";
export type { FakeSqsHandle, FakeSqsOptions, FakeQueueCounts, FakeQueueMessage, FakeMessageAttributeValue } from "./sqs/service.js";
export type { BatchEntryFault, SqsBatchAction } from "./sqs/entry-faults.js";
export type { FakeImdsHandle, FakeImdsOptions } from "./imds/service.js";
export type { FakeContainerHandle, FakeContainerOptions } from "./container/service.js";
