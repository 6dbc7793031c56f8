import { WebSocket } from 'ws';
import type { Talk } from './talk.ts';

/**
 * A synthetic meeting streaming over the media-ingest socket the way
 * docs/media-ingest.md tells a client to: hello, declared speakers, text
 * `segments` with a per-client `seq`, and every segment kept until a `stored`
 * covers it. Unstored segments are re-sent after a reconnect (with backoff);
 * on the same connection only after an `error` answer (those sent before it)
 * or when no answer came within `resendAfterMs` (default 15 s): re-sending on
 * a timer any sooner only adds load to a server that is merely slow.
 *
 * One segment per message, so a `stored` {speaker, seq} names exactly one
 * segment even though the server stores messages concurrently.
 */

export interface SentSegment {
  seq: number;
  speakerId: string;
  speaker: string;
  startMs: number;
  endMs: number;
  text: string;
  /** When it was generated (performance.now()). */
  createdAt: number;
  /** Last time it went on the wire. */
  sentAt: number;
}

export interface MeetingClientOptions {
  /** ws://host:port/ws/ingest */
  url: string;
  token: string;
  meetingId: string;
  speakers: readonly string[];
  talk: Talk;
  rnd: () => number;
  client?: string;
  /** A new segment every min..max ms. */
  intervalMs?: [number, number];
  /** No answer for this long: send again on the same connection. Default 15 s. */
  resendAfterMs?: number;
  /** Called for every `stored` of a segment (first time only). */
  onStored?: (s: SentSegment, at: number) => void;
}

export class MeetingClient {
  readonly segments = new Map<number, SentSegment>();
  readonly unstored = new Map<number, SentSegment>();
  /** seq → when its first `stored` arrived. */
  readonly storedAt = new Map<number, number>();
  readonly errors = new Map<string, number>();
  connects = 0;
  /** Upgrades refused (status → count) and sockets that failed to open. */
  readonly refused = new Map<string, number>();
  /** Close codes of connections that had opened (1001: the server shut down and drained it; 1006: it died). */
  readonly closes = new Map<string, number>();
  private ws: WebSocket | null = null;
  private ready = false;
  private producing = false;
  private closed = false;
  private nextSeq = 1;
  private clock = 0;
  private readonly started = performance.now();
  private produceTimer: NodeJS.Timeout | null = null;
  private resendTimer: NodeJS.Timeout | null = null;
  private backoffMs = 100;
  private readonly ids: string[];

  constructor(private readonly o: MeetingClientOptions) {
    this.ids = o.speakers.map((_, i) => `spk-${i + 1}`);
  }

  get meetingId(): string {
    return this.o.meetingId;
  }

  get stored(): number {
    return this.storedAt.size;
  }

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    this.connect();
    this.producing = true;
    this.scheduleProduce();
    this.resendTimer = setInterval(() => this.resendStale(), 500);
  }

  /** No new segments from now on; unstored ones keep being re-sent. */
  stopProducing(): void {
    this.producing = false;
    if (this.produceTimer) clearTimeout(this.produceTimer);
  }

  /** Resolves true once every segment is stored, false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (this.unstored.size > 0 && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
    return this.unstored.size === 0;
  }

  close(): void {
    this.closed = true;
    this.stopProducing();
    if (this.resendTimer) clearInterval(this.resendTimer);
    this.ws?.close();
    this.ws = null;
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.o.url, { headers: { authorization: `Bearer ${this.o.token}` }, perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => {
      this.connects++;
      ws.send(JSON.stringify({ type: 'hello', client: this.o.client ?? 'synthetic' }));
      this.o.speakers.forEach((name, i) => ws.send(JSON.stringify({ type: 'speaker', id: this.ids[i], name })));
    });
    ws.on('unexpected-response', (_req, res) => {
      this.count(this.refused, String(res.statusCode));
      res.resume();
      ws.terminate();
    });
    ws.on('message', (data, binary) => {
      if (!binary) this.receive(JSON.parse(data.toString()) as Record<string, unknown>);
    });
    ws.on('error', (err) => this.count(this.refused, (err as NodeJS.ErrnoException).code ?? 'error'));
    ws.on('close', (code) => {
      if (this.ws === ws) this.ws = null;
      if (this.ready && !this.closed) this.count(this.closes, String(code));
      this.ready = false;
      if (this.closed) return;
      const delay = this.backoffMs / 2 + Math.random() * (this.backoffMs / 2);
      this.backoffMs = Math.min(2000, this.backoffMs * 2);
      setTimeout(() => this.connect(), delay);
    });
  }

  private receive(msg: Record<string, unknown>): void {
    if (msg.type === 'ready') {
      this.ready = true;
      this.backoffMs = 100;
      // Everything not yet stored goes again: the server may have died holding it.
      for (const s of this.unstored.values()) this.send(s);
    } else if (msg.type === 'stored') {
      const seq = (msg.upTo as { seq?: number } | undefined)?.seq;
      const s = seq === undefined ? undefined : this.unstored.get(seq);
      if (!s) return;
      const now = performance.now();
      this.unstored.delete(s.seq);
      this.storedAt.set(s.seq, now);
      this.o.onStored?.(s, now);
    } else if (msg.type === 'error') {
      this.count(this.errors, String(msg.code));
      // The error does not say which message it answers: everything sent before it goes again (idempotent by seq).
      const now = performance.now();
      for (const s of this.unstored.values()) if (s.sentAt > 0 && s.sentAt < now - 20) this.send(s);
    }
  }

  private send(s: SentSegment): void {
    if (!this.ws || !this.ready || this.ws.readyState !== WebSocket.OPEN) return;
    s.sentAt = performance.now();
    this.ws.send(JSON.stringify({ type: 'segments', segments: [{ speaker: s.speakerId, startMs: s.startMs, endMs: s.endMs, text: s.text, seq: s.seq }] }));
  }

  private resendStale(): void {
    const before = performance.now() - (this.o.resendAfterMs ?? 15_000);
    for (const s of this.unstored.values()) if (s.sentAt < before) this.send(s);
  }

  private scheduleProduce(): void {
    const [lo, hi] = this.o.intervalMs ?? [300, 700];
    this.produceTimer = setTimeout(() => {
      if (!this.producing) return;
      this.produce();
      this.scheduleProduce();
    }, lo + this.o.rnd() * (hi - lo));
  }

  private produce(): void {
    const i = Math.floor(this.o.rnd() * this.o.speakers.length);
    const text = this.o.talk.line(this.o.rnd, this.o.speakers);
    // Strictly increasing start times: a re-sent line stored twice would show as the same (speaker, start, text).
    const startMs = Math.max(this.clock + 1, Math.round(performance.now() - this.started));
    this.clock = startMs;
    const endMs = startMs + 300 * text.split(' ').length;
    const s: SentSegment = { seq: this.nextSeq++, speakerId: this.ids[i]!, speaker: this.o.speakers[i]!, startMs, endMs, text, createdAt: performance.now(), sentAt: 0 };
    this.segments.set(s.seq, s);
    this.unstored.set(s.seq, s);
    this.send(s);
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}
