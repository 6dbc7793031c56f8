import type { SegmentInput } from '../types.ts';
import type { AppendResult } from './MeetingService.ts';

type Append = (meetingId: string, segments: SegmentInput[]) => Promise<AppendResult>;

interface Pending {
  segments: SegmentInput[];
  waiters: { resolve: (r: AppendResult) => void; reject: (e: unknown) => void }[];
  timer: NodeJS.Timeout | null;
}

/**
 * Live producers hand over one utterance at a time; writing each alone would
 * cost a round trip per line. The batcher gathers a meeting's segments for a
 * few milliseconds (or until a batch is full) and writes them in one append.
 * Each caller's promise settles when its batch is committed: that is the
 * acknowledgement an adapter may rely on.
 */
export class IngestBatcher {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly append: Append,
    private readonly options: { maxBatch?: number; maxDelayMs?: number } = {},
  ) {}

  add(meetingId: string, segment: SegmentInput): Promise<AppendResult> {
    let entry = this.pending.get(meetingId);
    if (!entry) this.pending.set(meetingId, (entry = { segments: [], waiters: [], timer: null }));
    entry.segments.push(segment);
    const done = new Promise<AppendResult>((resolve, reject) => entry.waiters.push({ resolve, reject }));
    if (entry.segments.length >= (this.options.maxBatch ?? 500)) void this.flush(meetingId);
    else entry.timer ??= setTimeout(() => void this.flush(meetingId), this.options.maxDelayMs ?? 25);
    return done;
  }

  async flush(meetingId: string): Promise<void> {
    const entry = this.pending.get(meetingId);
    if (!entry) return;
    this.pending.delete(meetingId);
    if (entry.timer) clearTimeout(entry.timer);
    try {
      const result = await this.append(meetingId, entry.segments);
      for (const w of entry.waiters) w.resolve(result);
    } catch (err) {
      for (const w of entry.waiters) w.reject(err);
    }
  }

  /** Writes everything still buffered: called on shutdown so nothing acknowledged-to-be is lost. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((id) => this.flush(id)));
  }

  get buffered(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.segments.length;
    return n;
  }
}
