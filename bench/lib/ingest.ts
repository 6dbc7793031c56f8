import type { Database } from '../../core/store/db.ts';
import { createStores } from '../../core/store/index.ts';
import { InProcessEventBus } from '../../core/bus/InProcessEventBus.ts';
import { MeetingService } from '../../core/meetings/MeetingService.ts';
import { createLogger } from '../../core/logger.ts';
import type { SegmentInput } from '../../core/types.ts';
import { prng, type Corpus } from './corpus.ts';
import { attachAttendees, chunked, connect, copyIn, copyLine, meetingSegments, pickSpeakers, type BenchMeeting } from './load.ts';
import { ms } from './report.ts';

export interface IngestOptions {
  db: Database;
  url: string;
  corpus: Corpus;
  organizationId: string;
  /** Rows measured for each path. */
  rows: number;
  batch: number;
  perMeeting: number;
  rounds: number;
  seed: number;
}

export interface IngestResult {
  rows: number;
  batch: number;
  serviceMs: number;
  copyMs: number;
  serviceRowsPerSec: number;
  copyRowsPerSec: number;
  ratio: number;
  serviceBatchMs: number[];
  /** Time inside TranscriptStore.append per call (the INSERT statement), the rest being validation and lookups. */
  appendMs: number[];
  /** Informational: the service path with `concurrency` meetings sending at once. */
  concurrent: { concurrency: number; rows: number; ms: number; rowsPerSec: number };
}

/**
 * The service path (MeetingService.appendSegments, batches as a producer
 * sends them) against a raw COPY into the same table, both into fresh
 * meetings. Rounds alternate which path goes first, so table growth, GIN
 * pending-list flushes and checkpoints hit both alike. Text is generated
 * before the clock starts for both.
 */
export async function benchIngest(o: IngestOptions): Promise<IngestResult> {
  const stores = createStores(o.db.knex);
  const service = new MeetingService({ stores, bus: new InProcessEventBus(), logger: createLogger({ level: 'silent' }) });
  const appendMs: number[] = [];
  const append = stores.transcripts.append.bind(stores.transcripts);
  stores.transcripts.append = async (meetingId, rows) => {
    const t = performance.now();
    try {
      return await append(meetingId, rows);
    } finally {
      appendMs.push(ms(t));
    }
  };
  const copyClient = await connect(o.url);
  const rnd = prng(o.seed);
  let seq = 0;

  const freshMeetings = async (count: number, label: string): Promise<BenchMeeting[]> => {
    const out: BenchMeeting[] = [];
    for (let i = 0; i < count; i++) {
      const m = await service.createMeeting({ organizationId: o.organizationId, platform: 'ingest', title: `${label} ${++seq}` });
      await service.startMeeting(m.id);
      out.push({ id: m.id, organizationId: o.organizationId, speakers: pickSpeakers(rnd).map((name) => ({ name, attendeeId: null })) });
    }
    return out;
  };
  const segmentsFor = (m: BenchMeeting, n: number): SegmentInput[] => [...meetingSegments(o.corpus, rnd, m.speakers.map((s) => s.name), n)];

  const runCopy = async (rows: number): Promise<number> => {
    const meetings = await freshMeetings(Math.max(1, Math.round(rows / o.perMeeting)), 'copy');
    await attachAttendees(o.db.knex, meetings);
    const per = split(rows, meetings.length);
    const lines = meetings.flatMap((m, i) => segmentsFor(m, per[i]!).map((s) => copyLine(m, s)));
    const chunks = [...chunked(lines)];
    const t = performance.now();
    const n = await copyIn(copyClient, chunks);
    const elapsed = ms(t);
    if (n !== rows) throw new Error(`COPY stored ${n} rows, expected ${rows}`);
    return elapsed;
  };

  const batchTimes: number[] = [];
  /** Each meeting's batches in order; with `concurrency` > 1, that many meetings send at once. */
  const runService = async (rows: number, record: boolean, concurrency = 1): Promise<number> => {
    const meetings = await freshMeetings(Math.max(concurrency, Math.round(rows / o.perMeeting)), 'service');
    const per = split(rows, meetings.length);
    const queues = meetings.map((m, i) => {
      const segs = segmentsFor(m, per[i]!);
      const batches: SegmentInput[][] = [];
      for (let j = 0; j < segs.length; j += o.batch) batches.push(segs.slice(j, j + o.batch));
      return { meetingId: m.id, batches };
    });
    const appendsBefore = appendMs.length;
    const t = performance.now();
    const worker = async () => {
      for (let q = queues.shift(); q; q = queues.shift()) {
        for (const segs of q.batches) {
          const tb = performance.now();
          const r = await service.appendSegments(q.meetingId, segs);
          if (record) batchTimes.push(ms(tb));
          if (r.inserted.length !== segs.length) throw new Error(`appendSegments stored ${r.inserted.length} of ${segs.length}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = ms(t);
    if (!record) appendMs.length = appendsBefore;
    return elapsed;
  };

  try {
    // Warm-up (not measured): connections, catalog caches, Node's JIT.
    await runCopy(o.batch * 4);
    await runService(o.batch * 4, false);

    let copyMs = 0;
    let serviceMs = 0;
    const perRound = split(o.rows, o.rounds);
    for (let r = 0; r < o.rounds; r++) {
      if (r % 2 === 0) {
        copyMs += await runCopy(perRound[r]!);
        serviceMs += await runService(perRound[r]!, true);
      } else {
        serviceMs += await runService(perRound[r]!, true);
        copyMs += await runCopy(perRound[r]!);
      }
    }
    const concurrency = 4;
    const concurrentRows = Math.round(o.rows / 2);
    const concurrentMs = await runService(concurrentRows, false, concurrency);
    const concurrent = { concurrency, rows: concurrentRows, ms: concurrentMs, rowsPerSec: concurrentRows / (concurrentMs / 1000) };
    const serviceRowsPerSec = o.rows / (serviceMs / 1000);
    const copyRowsPerSec = o.rows / (copyMs / 1000);
    return { rows: o.rows, batch: o.batch, serviceMs, copyMs, serviceRowsPerSec, copyRowsPerSec, ratio: serviceRowsPerSec / copyRowsPerSec, serviceBatchMs: batchTimes, appendMs, concurrent };
  } finally {
    await copyClient.end();
  }
}

/** `total` split into `parts` near-equal integers. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
