import type { PipelineEvent } from '../core/audio/AudioPipeline.ts';
import type { MetricsRegistry } from '../dashboard/metrics/index.ts';
import type { BackgroundRoles } from './background.ts';
import type { Container } from './container.ts';

/** Open audio pipelines by source (one per Discord meeting, ingest connection or record page), for the live-streams gauge. */
const liveAudio = new WeakMap<Container, Map<string, number>>();

/** Counts an audio pipeline from creation until `end()`; returns the wrapped end. */
export function countAudio(c: Container, source: string): { end: () => void } {
  const counts = liveAudio.get(c) ?? new Map<string, number>();
  liveAudio.set(c, counts);
  counts.set(source, (counts.get(source) ?? 0) + 1);
  let ended = false;
  return {
    end() {
      if (ended) return;
      ended = true;
      counts.set(source, Math.max(0, (counts.get(source) ?? 1) - 1));
    },
  };
}

/** The pipeline events metrics want: each utterance through speech recognition (audio seconds, delay). */
export function audioEventObserver(c: Container) {
  return (e: PipelineEvent) => {
    if (e.type === 'transcribed') c.metrics.observeTranscription(e);
  };
}

interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/**
 * Scrape-time readings (active meetings, sockets, live audio, DB pool, queue
 * depth) and job outcomes, for /metrics of whatever roles this process runs.
 */
export function observeOperations(c: Container, metrics: MetricsRegistry, background: BackgroundRoles): () => void {
  const offJobs = c.jobs.onEvent((e) => metrics.observeJob(e));
  metrics.setGauges(async () => {
    const pool = (c.db.knex.client as { pool?: PoolLike }).pool;
    const [meetings, queue] = await Promise.all([
      // Counted in the store: right across restarts and instances, unlike the bus-followed fallback.
      c.stores.meetings.list({ status: 'in_progress', limit: 1 }).catch(() => null),
      c.jobs.counts().catch(() => undefined),
    ]);
    return {
      websocketConnections: Object.fromEntries(Object.entries(background.sockets).map(([k, f]) => [k, f()])),
      ...(meetings ? { activeMeetings: meetings.total } : {}),
      audioStreams: Object.fromEntries(liveAudio.get(c) ?? []),
      dbPool: pool && typeof pool.numUsed === 'function' ? { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires() } : { used: 0, free: 1, pending: 0 },
      ...(queue ? { queue } : {}),
    };
  });
  return offJobs;
}
