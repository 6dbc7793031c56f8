import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  /** The loopback port clients connect to instead of the target's. */
  readonly port: number;
  /** "The server went away": every open connection is reset and new ones are reset on accept. */
  cut(): void;
  /** "The server stopped answering": new connections are accepted and held, never forwarded nor closed. */
  hang(): void;
  /** Back to forwarding; connections held by `hang` are dropped (their clients reconnect). */
  restore(): void;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of a shared server (Postgres, Redis) so a test
 * can take that server away from its own clients without stopping it for
 * everyone else. Loopback only, on both sides.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let mode: 'forward' | 'cut' | 'hang' = 'forward';
  const open = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };
  const dropAll = (): void => {
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };

  const server = createServer((client) => {
    track(client);
    if (mode === 'cut') return void client.resetAndDestroy();
    if (mode === 'hang') return;
    const upstream = track(connect(targetPort, targetHost));
    client.pipe(upstream).pipe(client);
    // One side gone takes the other with it, as a dead server would.
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    cut() {
      mode = 'cut';
      dropAll();
    },
    hang() {
      mode = 'hang';
      dropAll();
    },
    restore() {
      if (mode === 'hang') dropAll();
      mode = 'forward';
    },
    close() {
      mode = 'cut';
      dropAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
