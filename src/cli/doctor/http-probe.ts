/**
 * A minimal HTTP request for probes: one connection, no keep-alive (nothing lingers to hold the process),
 * a hard timeout, and the body capped in size.
 */
import { request } from "node:http";

export interface ProbeResponse {
  status: number;
  body: string;
}

/**
 * Sends one request and resolves with the status and body; rejects on network errors and timeouts.
 *
 * @example
 * ```ts
 * const { status } = await httpProbe("http://169.254.169.254/latest/api/token", { method: "PUT", timeoutMs: 1000 });
 * ```
 */
export function httpProbe(url: string, init: { method: string; headers?: Record<string, string>; timeoutMs: number }): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, agent: false, timeout: init.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${init.timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
