import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';

/** Answers an upgrade request with a JSON error and closes the socket (no WebSocket is opened). */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/**
 * The handle a socket endpoint returns: how many connections are open, and a
 * close that refuses new upgrades, says goodbye (1001) to every client and
 * waits for each connection's own cleanup (pipelines drained) to finish.
 */
export function socketServerHandle(input: {
  wss: WebSocketServer;
  server: Server;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the 'upgrade' listener's own signature
  onUpgrade: (...args: any[]) => void;
  open: Set<Promise<void>>;
  markClosing: () => void;
  /** Runs after new upgrades are refused and before the remaining sockets are closed (e.g. final acknowledgements). */
  drain?: () => Promise<void>;
}): { wss: WebSocketServer; readonly connections: number; close(): Promise<void> } {
  const { wss, server, onUpgrade, open, markClosing, drain } = input;
  return {
    wss,
    get connections() {
      return open.size;
    },
    async close() {
      markClosing();
      server.off('upgrade', onUpgrade);
      await drain?.().catch(() => undefined);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      await Promise.allSettled([...open]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
