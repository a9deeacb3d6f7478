import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { startFrontDoor } from "./core/front-door.js";
import { CredentialStore, type KnownCredentials } from "./core/credential-store.js";
import type { FakeContext } from "./core/context.js";
import { makeAccessKeyId, makeSecretAccessKey } from "./core/access-keys.js";
import type { FakeServiceHandle } from "./core/fake-service.js";
import { makeFakeWebIdentityToken, type FakeTokenClaims } from "./core/jwt.js";
import { startFakeSts, type FakeStsHandle, type FakeStsOptions } from "./sts/service.js";
import { startFakeSqs, type FakeSqsHandle, type FakeSqsOptions } from "./sqs/service.js";
import { startFakeImds, type FakeImdsHandle, type FakeImdsOptions } from "./imds/service.js";
import { startFakeContainer, type FakeContainerHandle, type FakeContainerOptions } from "./container/service.js";

export interface StartFakeAwsOptions {
  /**
   * Single-port mode: STS, SQS, IMDS and the container endpoint all on this port (0: any free one), told
   * apart as AWS's front ends do (SigV4 scope, `X-Amz-Target`, `Action`; IMDS and the container endpoint by
   * path), with a health endpoint at `/_awscreds/health`. Default: each fake on an ephemeral port of its own.
   */
  port?: number;
  /** Single-port mode: the address to listen on. Default 127.0.0.1; `0.0.0.0` for containers on another network. */
  host?: string;
  /** Region the fakes claim to be in (SQS queue URLs, `AWS_REGION` in `env`). Default `us-east-1`. */
  region?: string;
  /** Account id of issued credentials and queue URLs. Default `123456789012`. */
  accountId?: string;
  sts?: FakeStsOptions;
  sqs?: FakeSqsOptions;
  imds?: FakeImdsOptions;
  container?: FakeContainerOptions;
}

/** The running fakes. Close it when done: `await fake.close()` (or `await using fake = ...`). */
export interface FakeAws {
  readonly sts: FakeStsHandle;
  readonly sqs: FakeSqsHandle;
  readonly imds: FakeImdsHandle;
  readonly container: FakeContainerHandle;
  readonly region: string;
  readonly accountId: string;
  /** Single-port mode (`port` given): the one endpoint of every fake, e.g. `http://127.0.0.1:4566`. */
  readonly endpoint: string | undefined;
  /**
   * Environment variables that point the SDK's own providers and clients at the fakes, in the form every
   * client accepts: `AWS_REGION` and `AWS_DEFAULT_REGION` (botocore's), `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_SQS`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
   * `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN` (and, in single-port mode,
   * `AWS_ENDPOINT_URL`, which points every service of newer clients at the port).
   * Clients older than the `AWS_ENDPOINT_URL_*` variables (aws-sdk v2, boto3 before 1.28, the AWS CLI
   * before 2.13) ignore them and would reach real AWS: give those clients their endpoints explicitly.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Registers long-lived static keys (AKIA…) that the SigV4-verifying fakes accept. */
  registerStaticKeys(init?: { accessKeyId?: string; secretAccessKey?: string; arn?: string }): KnownCredentials;
  /** Marks credentials as expired now: SQS then rejects them with `ExpiredToken`. */
  expireCredentials(accessKeyId: string): void;
  /**
   * Writes a web identity token (an unsigned JWT, as EKS projects) to a file the fake removes on close.
   * Call again with the same `path` to rotate it. Returns the path.
   */
  writeWebIdentityToken(init?: { path?: string; token?: string; claims?: FakeTokenClaims }): Promise<string>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts wire-faithful fakes of STS, SQS, IMDSv2 and the container credentials endpoint on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startFakeAws } from "awscreds/testing";
 * import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
 *
 * const fake = await startFakeAws();
 * const keys = fake.registerStaticKeys();
 * const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials: keys });
 * console.log(await sts.send(new GetCallerIdentityCommand({})));
 * await fake.close();
 * ```
 */
export async function startFakeAws(options: StartFakeAwsOptions = {}): Promise<FakeAws> {
  const front = options.port === undefined ? undefined : await startFrontDoor({ port: options.port, ...(options.host !== undefined && { host: options.host }) });
  const context: FakeContext = {
    store: new CredentialStore(),
    region: options.region ?? "us-east-1",
    accountId: options.accountId ?? "123456789012",
    now: Date.now,
    front,
  };
  const started: { close(): Promise<void> }[] = [];
  // The shared socket closes last, after every fake let go of its long polls.
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((s) => s.close()));
    await front?.close();
  };
  let tokenDir: string | undefined;
  try {
    const sts = await startFakeSts(context, options.sts);
    started.push(sts);
    const sqs = await startFakeSqs(context, options.sqs);
    started.push(sqs);
    const imds = await startFakeImds(context, options.imds);
    started.push(imds);
    const container = await startFakeContainer(context, options.container);
    started.push(container);

    const env: Record<string, string> = {
      AWS_REGION: context.region,
      // botocore (boto3, the AWS CLI) reads only this one.
      AWS_DEFAULT_REGION: context.region,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      // With the trailing slash: botocore (boto3, the AWS CLI) appends `latest/api/token` to it as is;
      // the SDKs that add `/latest/…` themselves send `//latest/…`, which the fake IMDS reads as AWS does.
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imds.endpoint}/`,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: container.credentialsUrl,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: container.authorizationToken,
      ...(front !== undefined && { AWS_ENDPOINT_URL: front.endpoint }),
    };

    let closed: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closed ??= (async () => {
        await closeAll();
        if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
      })();
      return closed;
    };

    return {
      sts,
      sqs,
      imds,
      container,
      region: context.region,
      accountId: context.accountId,
      endpoint: front?.endpoint,
      env: Object.freeze(withMaskedInspect(env, ["AWS_CONTAINER_AUTHORIZATION_TOKEN"])),
      registerStaticKeys(init = {}) {
        const arn = init.arn ?? `arn:aws:iam::${context.accountId}:user/fake-user`;
        // The account of the ARN given (keys of another account, e.g. a SaaS provider's), else the fake's.
        const account = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? context.accountId;
        return context.store.add({
          accessKeyId: init.accessKeyId ?? makeAccessKeyId("AKIA", account),
          secretAccessKey: init.secretAccessKey ?? makeSecretAccessKey(),
          arn,
          account,
          issuer: "static",
        });
      },
      expireCredentials(accessKeyId) {
        context.store.expire(accessKeyId, context.now());
      },
      async writeWebIdentityToken(init = {}) {
        tokenDir ??= await mkdtemp(join(tmpdir(), "awscreds-fake-token-"));
        const path = init.path ?? join(tokenDir, "token");
        await writeFile(path, init.token ?? makeFakeWebIdentityToken(init.claims, context.now()), { mode: 0o600 });
        return path;
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * `vars` with `util.inspect` (console.log, test reporters' diffs) showing `masked` names as `<redacted>`.
 * The values stay readable and enumerable: the environment is meant to be handed to providers and child
 * processes; it is only logging it whole that should not print a credential.
 */
function withMaskedInspect(vars: Record<string, string>, masked: readonly string[]): Record<string, string> {
  Object.defineProperty(vars, inspect.custom, {
    enumerable: false,
    value: (_depth: number, options: object): string =>
      inspect(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, masked.includes(k) ? "<redacted>" : v])), options),
  });
  return vars;
}

export type { FakeServiceHandle };
