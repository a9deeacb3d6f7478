/**
 * Counts the TCP connections this process opens to one port, whoever opens them (the SDK's handler,
 * an agent built inside the code under test), through Node's `net.client.socket` diagnostics channel:
 * nothing is mocked, and code that builds a new client (new agent, new sockets) per call shows up.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";

export interface SocketWatch {
  /** Client sockets that connected to the port, in order. */
  readonly sockets: readonly Socket[];
  stop(): void;
}

/** Starts recording client sockets that connect to `port` on this machine. Always `stop()` it. */
export function watchClientSockets(port: number): SocketWatch {
  const sockets: Socket[] = [];
  const onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    socket.once("connect", () => {
      if (socket.remotePort === port) sockets.push(socket);
    });
  };
  subscribe("net.client.socket", onSocket);
  return { sockets, stop: () => unsubscribe("net.client.socket", onSocket) };
}
