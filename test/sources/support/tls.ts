/**
 * A test certificate authority and a server certificate for real AWS hostnames, plus an HTTPS agent that
 * resolves those hostnames to 127.0.0.1 and connects to the fake's port, so a client can talk to
 * `https://sts.eu-west-1.amazonaws.com` while never leaving this machine, with full certificate checks.
 */
import { Agent as HttpsAgent, type AgentOptions } from "node:https";
import type { LookupFunction } from "node:net";
import { connect, type ConnectionOptions } from "node:tls";
import type { Duplex } from "node:stream";
import { generate } from "selfsigned";

export interface TestPki {
  caCert: string;
  key: string;
  cert: string;
}

/** A CA and a certificate it signed for `hostnames`. */
export async function makeTestPki(hostnames: string[]): Promise<TestPki> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 24 * 3600_000);
  const ca = await generate([{ name: "commonName", value: "awscreds test CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: "commonName", value: hostnames[0] ?? "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: hostnames.map((value) => ({ type: 2 as const, value })) },
    ],
  });
  return { caCert: ca.cert, key: server.private, cert: server.cert };
}

export interface RoutingAgent {
  agent: HttpsAgent;
  /** Host names the agent was asked to resolve, in order. */
  readonly lookups: string[];
  /** SNI server names of the TLS connections opened, in order. */
  readonly servernames: string[];
  /** Number of TCP connections opened (keep-alive reuse keeps it low). */
  readonly connections: number;
}

/**
 * An HTTPS agent that trusts only `caCert`, resolves every host name to 127.0.0.1 through its `lookup`
 * (recording it) and connects to `port` instead of 443 — or to `portFor(hostname)`, so that each regional
 * hostname can have its own fake (and a test can point one at a closed port to refuse connections). The
 * TLS handshake still checks the certificate against the requested host name, so a wrong hostname fails.
 */
export function routingAgent(init: { caCert: string; port: number; portFor?: (hostname: string) => number; agentOptions?: AgentOptions }): RoutingAgent {
  const lookups: string[] = [];
  const servernames: string[] = [];
  let connections = 0;
  const lookup = ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    lookups.push(hostname);
    const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all;
    if (all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
  }) as LookupFunction;

  class Routing extends HttpsAgent {
    // Returning the socket is enough: the agent then treats it as created.
    override createConnection(options: ConnectionOptions): Duplex {
      connections += 1;
      const servername = options.servername ?? options.host ?? "";
      servernames.push(servername);
      const port = init.portFor ? init.portFor(servername) : init.port;
      return connect({ ...options, port, lookup, servername, ca: init.caCert, rejectUnauthorized: true });
    }
  }
  const agent = new Routing({ keepAlive: true, ...init.agentOptions, ca: init.caCert });
  return {
    agent,
    lookups,
    servernames,
    get connections() {
      return connections;
    },
  };
}
