import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { UsageEntry } from '../../core/ai/ledger.ts';

/**
 * Job counts of the background queue. Structural (BullMQ's getJobCounts and
 * the in-process queue both fit) so the metrics never depend on either.
 */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed?: number;
}

/** The scrape-time readings of the service's moving parts; a field left out shows no samples. */
export interface OperationsReadings {
  /** Database pool: with knex on pg `pool.numUsed()/numFree()/numPendingAcquires()`; PGlite is 0/1/0. */
  dbPool?: { used: number; free: number; pending: number };
  /** Background job queue. */
  queue?: QueueCounts;
  /** Audio streams being transcribed right now by source (discord, ingest, record...). */
  audioStreams?: Record<string, number>;
}

/** A background job settled: `failed` will be retried, `dead` will not (final failure). */
export interface JobObservation {
  type: 'failed' | 'dead' | 'completed';
  name: string;
  durationMs?: number;
}

/** One utterance through ASR; the audio pipeline's `transcribed` event fits as is. */
export interface TranscriptionObservation {
  engine: string;
  audioMs: number;
  /** End of the utterance to its segments being stored; null/absent when nothing was stored. */
  delayMs?: number | null;
}

export interface OperationsObservers {
  /** One LLM call as the usage ledger records it (feed it with `observedLedger(ledger, m.observeAiCall)`). */
  observeAiCall(entry: UsageEntry): void;
  observeJob(event: JobObservation): void;
  observeTranscription(event: TranscriptionObservation): void;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * AI calls, jobs, transcription and the pools' gauges, registered on `registry`;
 * `read` gives the readings of the current scrape (shared by every gauge).
 */
export function operationsMetrics(registry: Registry, read: () => Promise<OperationsReadings>): OperationsObservers {
  const registers = [registry];
  const aiCalls = new Counter({ name: 'minutes_ai_calls_total', help: 'LLM calls by provider, model and outcome (ok, cached, repaired, bad_output, error)', labelNames: ['provider', 'model', 'outcome'] as const, registers });
  const aiTokens = new Counter({ name: 'minutes_ai_tokens_total', help: 'LLM tokens by provider, model and direction (input, output)', labelNames: ['provider', 'model', 'direction'] as const, registers });
  const aiCost = new Counter({ name: 'minutes_ai_cost_usd_total', help: 'Known cost of LLM calls in USD (unpriced models add nothing)', labelNames: ['provider', 'model'] as const, registers });
  const jobFailures = new Counter({ name: 'minutes_job_failures_total', help: 'Background job failures by job name; final="true" when no retry is left', labelNames: ['name', 'final'] as const, registers });
  const jobDuration = new Histogram({
    name: 'minutes_job_duration_seconds', help: 'Run time of completed background jobs by name', labelNames: ['name'] as const, registers,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  });
  const audioSeconds = new Counter({ name: 'minutes_transcription_audio_seconds_total', help: 'Seconds of speech sent to ASR by engine (÷60 for transcription minutes)', labelNames: ['engine'] as const, registers });
  const delay = new Histogram({
    name: 'minutes_transcription_delay_seconds', help: 'End of an utterance to its transcript segments being stored, by engine', labelNames: ['engine'] as const, registers,
    buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120],
  });

  new Gauge({
    name: 'minutes_db_pool_connections', help: 'Database pool connections by state (used, free, pending acquires)', labelNames: ['state'] as const, registers,
    async collect() {
      const { dbPool } = await read();
      this.reset();
      if (dbPool) for (const state of ['used', 'free', 'pending'] as const) this.set({ state }, dbPool[state]);
    },
  });
  new Gauge({
    name: 'minutes_queue_jobs', help: 'Background queue jobs by state', labelNames: ['state'] as const, registers,
    async collect() {
      const { queue } = await read();
      this.reset();
      for (const state of QUEUE_STATES) if (queue?.[state] !== undefined) this.set({ state }, queue[state]);
    },
  });
  new Gauge({
    name: 'minutes_live_audio_streams', help: 'Audio streams being transcribed by source', labelNames: ['source'] as const, registers,
    async collect() {
      const { audioStreams } = await read();
      this.reset();
      for (const [source, n] of Object.entries(audioStreams ?? {})) this.set({ source }, n);
    },
  });

  return {
    observeAiCall(entry) {
      const { provider, model } = entry;
      aiCalls.inc({ provider, model, outcome: entry.outcome });
      if (entry.inputTokens > 0) aiTokens.inc({ provider, model, direction: 'input' }, entry.inputTokens);
      if (entry.outputTokens > 0) aiTokens.inc({ provider, model, direction: 'output' }, entry.outputTokens);
      if (entry.costUsd !== null && entry.costUsd > 0) aiCost.inc({ provider, model }, entry.costUsd);
    },
    observeJob(event) {
      if (event.type === 'completed') {
        if (event.durationMs !== undefined) jobDuration.observe({ name: event.name }, event.durationMs / 1000);
        return;
      }
      jobFailures.inc({ name: event.name, final: String(event.type === 'dead') });
    },
    observeTranscription(event) {
      if (event.audioMs > 0) audioSeconds.inc({ engine: event.engine }, event.audioMs / 1000);
      if (event.delayMs !== undefined && event.delayMs !== null) delay.observe({ engine: event.engine }, event.delayMs / 1000);
    },
  };
}
