import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { RedisEventBus } from '../adapters/redis/RedisEventBus.ts';
import { sampleActionItem } from '../core/bus/eventBus.contract.ts';
import { createLogger } from '../core/logger.ts';
import { startLive, type Running } from '../dashboard/live/testing.ts';

export interface FanoutOptions {
  /** Viewers of one meeting, split round-robin across the instances. */
  viewers?: number;
  /** Live servers, each with its own RedisEventBus on the same Redis channel. */
  instances?: number;
  /** Edits published (round-robin from each instance's bus); every one is timed at every viewer. */
  edits?: number;
  redisUrl?: string;
}

export interface FanoutResult {
  viewers: number;
  instances: number;
  edits: number;
  deliveries: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  connectMs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * WebSocket fan-out latency: from `bus.publish` of an action-item edit on one
 * instance to its arrival at every viewer (half of them behind the other
 * instance, through Redis pub/sub). Servers and clients share this process,
 * so the numbers include the clients' own parsing: an upper bound.
 */
export async function fanoutBench(options: FanoutOptions = {}): Promise<FanoutResult> {
  const viewers = options.viewers ?? 1000;
  const instances = options.instances ?? 2;
  const edits = options.edits ?? 30;
  const url = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const channel = `bench:${randomUUID()}:events`;
  const logger = createLogger({ level: 'warn' });
  const buses = Array.from({ length: instances }, () => new RedisEventBus({ url, channel, logger }));
  await Promise.all(buses.map((b) => b.ready()));
  const servers: Running[] = await Promise.all(buses.map((bus) => startLive(bus, {
    logger,
    authenticate: async (req) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      return token ? { userId: token, organizationId: 'org-a', name: token } : null;
    },
  })));
  const sockets: WebSocket[] = [];
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let onReceived = () => {};

  try {
    const connectStart = performance.now();
    for (let i = 0; i < viewers; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, viewers - i) }, (_, j) => new Promise<void>((resolve, reject) => {
        const n = i + j;
        const ws = new WebSocket(servers[n % instances]!.url('m-1'), { headers: { authorization: `Bearer viewer-${n}` }, perMessageDeflate: false });
        ws.on('message', (data: Buffer) => {
          const text = data.toString();
          if (!text.startsWith('{"type":"action_item.updated"')) return;
          const at = performance.now();
          const id = (JSON.parse(text) as { actionItem: { id: string } }).actionItem.id;
          const sent = sentAt.get(id);
          if (sent === undefined) return;
          latencies.push(at - sent);
          received++;
          onReceived();
        });
        ws.once('open', () => resolve());
        ws.once('error', reject);
        sockets.push(ws);
      })));
    }
    const connectMs = performance.now() - connectStart;
    // Let the presence messages of the join storm drain before timing.
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (let k = 0; k < edits; k++) {
      const id = `edit-${k}`;
      const expected = (k + 1) * viewers;
      const all = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`edit ${k}: ${received - k * viewers}/${viewers} viewers reached in 10 s`)), 10_000);
        onReceived = () => { if (received >= expected) { clearTimeout(timer); resolve(); } };
      });
      sentAt.set(id, performance.now());
      await buses[k % instances]!.publish({ type: 'action_item.updated', meetingId: 'm-1', actionItem: { ...sampleActionItem(id, 'm-1'), status: k % 2 ? 'completed' : 'pending' } });
      await all;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      viewers, instances, edits, deliveries: sorted.length,
      p50Ms: round(percentile(sorted, 50)), p95Ms: round(percentile(sorted, 95)), maxMs: round(sorted.at(-1) ?? Number.NaN), connectMs: Math.round(connectMs),
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(buses.map((b) => b.close()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  const result = await fanoutBench({ viewers: arg('viewers'), instances: arg('instances'), edits: arg('edits') });
  console.log(`WebSocket fan-out: ${result.viewers} viewers on ${result.instances} instances sharing Redis, ${result.edits} edits: ` +
    `p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms (goal < 100 ms), max ${result.maxMs} ms; connected in ${result.connectMs} ms`);
}
