import { SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent as HttpsAgent } from "node:https";
import { describe, expect, it } from "vitest";
import { diagnoseBaseHandler, readBaseHandlerSettings } from "../../src/sqs/base-handler-settings.js";

class ProxyAgent extends HttpsAgent {}

describe("readBaseHandlerSettings", () => {
  it("reads a client's NodeHttpHandler before its first request", async () => {
    const client = new SQSClient({
      region: "us-east-1",
      requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true, connectionTimeout: 700, httpsAgent: { ca: "PEM", maxSockets: 3 } },
    });
    const settings = await readBaseHandlerSettings(client.config.requestHandler);
    expect(settings).toMatchObject({
      handler: "NodeHttpHandler",
      readable: true,
      requestTimeout: 2_000,
      throwOnRequestTimeout: true,
      connectionTimeout: 700,
      httpsAgent: { plain: true, carried: { ca: "PEM" }, maxSockets: 3 },
    });
    client.destroy();
  });

  it("reads the options object of a client config", async () => {
    const settings = await readBaseHandlerSettings({ socketTimeout: 1_500, httpsAgent: new ProxyAgent() });
    expect(settings).toMatchObject({ handler: "options", readable: true, socketTimeout: 1_500, httpsAgent: { plain: false, kind: "ProxyAgent" } });
  });

  it("reports handlers it cannot read instead of throwing", async () => {
    const custom = { handle: async () => ({ response: {} }) };
    expect(await readBaseHandlerSettings(custom)).toMatchObject({ readable: false });
    expect(await readBaseHandlerSettings(undefined)).toEqual({ handler: "none", readable: true });
    const handler = new NodeHttpHandler({ requestTimeout: 900 });
    expect(await readBaseHandlerSettings(handler)).toMatchObject({ readable: true, requestTimeout: 900 });
    handler.destroy();
  });
});

describe("diagnoseBaseHandler", () => {
  it("notes, at debug level, short timeouts the long-polling client does not inherit", () => {
    const out = diagnoseBaseHandler({ handler: "NodeHttpHandler", readable: true, requestTimeout: 2_000, socketTimeout: 3_000 }, 25_000);
    expect(out).toEqual([expect.objectContaining({ level: "debug", code: "base-timeout-short" })]);
    expect(out[0]?.message).toMatch(/requestTimeout 2000 ms and socketTimeout 3000 ms/);
  });

  it("warns about an agent it cannot clone (a proxy would be bypassed)", () => {
    const out = diagnoseBaseHandler(
      { handler: "NodeHttpHandler", readable: true, httpsAgent: { kind: "ProxyAgent", plain: false, carried: {} } },
      25_000,
    );
    expect(out).toEqual([expect.objectContaining({ level: "warn", code: "base-agent-custom" })]);
    expect(out[0]?.message).toMatch(/ProxyAgent.*bypass/);
  });

  it("warns about a handler whose settings it cannot read", () => {
    const out = diagnoseBaseHandler({ handler: "NodeHttp2Handler", readable: false }, 25_000);
    expect(out).toEqual([expect.objectContaining({ level: "warn", code: "base-handler-unreadable" })]);
  });

  it("is silent when nothing matters", () => {
    expect(diagnoseBaseHandler({ handler: "NodeHttpHandler", readable: true, requestTimeout: 30_000 }, 25_000)).toEqual([]);
  });
});
