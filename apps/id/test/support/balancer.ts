import { connect, createServer, type Server, type Socket } from 'node:net';

export interface BalancerBackend {
  name: string;
  port: number;
}

export interface BalancerStats {
  /** Connections handed to each backend, by name. */
  connections: Record<string, number>;
  /** Connections that found their first backend refusing and went to the next one. */
  failovers: number;
  /** Client connections cut because their backend went away after answering had begun. */
  resets: number;
  /** Client connections refused because no backend answered at all. */
  refused: number;
}

export interface TcpBalancer {
  port: number;
  stats: BalancerStats;
  close(): Promise<void>;
}

/**
 * A TCP load balancer like a plain HAProxy `mode tcp` / `balance roundrobin`: each new client
 * connection goes to the next backend; when that backend refuses the connection (its process
 * is gone), the next one is tried, since nothing has been sent yet. A backend that dies while
 * a connection is open takes that connection with it: the client sees a reset.
 */
export async function startTcpBalancer(backends: BalancerBackend[], host = '127.0.0.1'): Promise<TcpBalancer> {
  const stats: BalancerStats = { connections: Object.fromEntries(backends.map((b) => [b.name, 0])), failovers: 0, resets: 0, refused: 0 };
  const open = new Set<Socket>();
  let next = 0;

  function pipeTo(client: Socket, attempt: number, first: number): void {
    if (attempt >= backends.length) {
      stats.refused += 1;
      client.destroy();
      return;
    }
    const backend = backends[(first + attempt) % backends.length]!;
    const upstream = connect({ host, port: backend.port });
    open.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      stats.connections[backend.name]! += 1;
      if (attempt > 0) stats.failovers += 1;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) {
        upstream.destroy();
        open.delete(upstream);
        pipeTo(client, attempt + 1, first);
        return;
      }
      stats.resets += 1;
      client.resetAndDestroy();
    });
    upstream.on('close', () => {
      open.delete(upstream);
      if (connected) client.end();
    });
    client.once('close', () => upstream.destroy());
  }

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => open.delete(client));
    const first = next;
    next = (next + 1) % backends.length;
    pipeTo(client, 0, first);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the balancer has no port');
  return {
    port: address.port,
    stats,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
