import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Cache } from '../../core/cache/Cache.ts';
import type { EventBus, MeetingEvent } from '../../core/bus/EventBus.ts';
import type { Logger } from '../../core/logger.ts';

/** How long each kind of entry lives (ms) when no write invalidates it first. */
export interface CacheTtls {
  /** A page of meetings for one organization and one query. */
  list: number;
  /** A meeting with its attendees, transcript, items (the API detail and the page's bundle). */
  meeting: number;
  /** Minutes and summaries. */
  minutes: number;
}

export const DEFAULT_TTLS: CacheTtls = { list: 5 * 60_000, meeting: 10 * 60_000, minutes: 60 * 60_000 };

/** Generation keys outlive every entry, so an expired generation can only orphan entries, never revive them. */
const GENERATION_TTL = 2 * 60 * 60_000;

export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses); 0 before the first lookup. */
  hitRate: number;
}

export interface DashboardCacheOptions {
  /** InProcessCache, or a RedisCache shared by every instance (built by the service; dashboard/ never imports Redis). */
  cache: Cache;
  /** Writes made anywhere (bots, importers, other instances on a Redis bus) invalidate through these events. */
  bus?: EventBus | null;
  ttl?: Partial<CacheTtls>;
  logger?: Logger;
}

/** Process-wide counters over every DashboardCache, for `cacheStats()` (exported as a metric by issue #10). */
const totals = { hits: 0, misses: 0 };

const rate = (hits: number, misses: number): CacheStats => ({ hits, misses, hitRate: hits + misses ? hits / (hits + misses) : 0 });

/** Hits and misses of the dashboard caches in this process since it started. */
export function cacheStats(): CacheStats {
  return rate(totals.hits, totals.misses);
}

/** Dates survive the JSON round trip under these keys (the Date fields of meetings, items, notes...). */
const DATE_KEYS = new Set(['createdAt', 'updatedAt', 'scheduledAt', 'startedAt', 'endedAt', 'purgedAt']);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const revive = (key: string, value: unknown) => (typeof value === 'string' && DATE_KEYS.has(key) && ISO.test(value) ? new Date(value) : value);

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MEETING_PATH = new RegExp(`^/(?:api/)?meetings/(${UUID})(?:/|$)`, 'i');
/** Writes that change nothing cached: questions, sign-in. */
const READ_ONLY_WRITES = /^\/(?:api\/ask|auth\/|login)/;

/**
 * Read-through cache of what the dashboard reads most: meeting lists (per
 * organization and query, 5 min), a meeting (10 min) and its minutes (60 min).
 *
 * Invalidation is by generation: every entry's key holds the current
 * generation of what it depends on (`gen:o:<org>` for lists, `gen:m:<meeting>`
 * for a meeting, `gen:s:<meeting>` for its minutes), and a write replaces that
 * generation with a fresh random token. That is one O(1) `set` whatever the
 * number of entries, and instances sharing a Redis cache share the
 * generations, so one instance's write is seen by all. Entries written under
 * an old generation are never read again and expire on their own.
 *
 * Every data key holds the organization, and an entry is only stored after
 * its loader passed the organization check, so one organization's request can
 * never be answered from another's entry. A cache failure is a miss.
 */
export class DashboardCache {
  private readonly cache: Cache;
  private readonly ttl: CacheTtls;
  private readonly logger: Logger | undefined;
  private lastWarnAt = 0;
  private suppressed = 0;
  private readonly unsubscribe: () => void;
  private hits = 0;
  private misses = 0;

  constructor(options: DashboardCacheOptions) {
    this.cache = options.cache;
    this.ttl = { ...DEFAULT_TTLS, ...options.ttl };
    this.logger = options.logger;
    this.unsubscribe = options.bus ? options.bus.subscribe('*', (event) => this.onEvent(event)) : () => {};
  }

  /** This instance's hits and misses (cacheStats() sums every instance of the process). */
  stats(): CacheStats {
    return rate(this.hits, this.misses);
  }

  /** A page of meetings of `organizationId` for `query` (filters, page): 5 min, until a meeting of the organization changes. */
  async list<T>(organizationId: string, query: Record<string, unknown>, load: () => Promise<T>): Promise<T> {
    const gen = await this.generation(`gen:o:${organizationId}`);
    const key = `list:${organizationId}:${gen}:${digest(query)}`;
    return this.through(key, this.ttl.list, load);
  }

  /** Something about one meeting (`part` names what: `bundle`, `detail`...): 10 min, until the meeting changes. */
  async meeting<T>(organizationId: string, meetingId: string, part: string, load: () => Promise<T>): Promise<T> {
    return this.through(await this.meetingKey('m', organizationId, meetingId, part), this.ttl.meeting, load);
  }

  /** The same as a JSON string, to send as is (no parse, no stringify on a hit). */
  async meetingJson(organizationId: string, meetingId: string, part: string, load: () => Promise<unknown>): Promise<string> {
    return this.throughJson(await this.meetingKey('m', organizationId, meetingId, part), this.ttl.meeting, load);
  }

  /** A meeting's minutes or summaries: 60 min, until they are rewritten or an item, an attendee or the meeting changes. */
  async minutes<T>(organizationId: string, meetingId: string, part: string, load: () => Promise<T>): Promise<T> {
    return this.through(await this.meetingKey('s', organizationId, meetingId, part), this.ttl.minutes, load);
  }

  async minutesJson(organizationId: string, meetingId: string, part: string, load: () => Promise<unknown>): Promise<string> {
    return this.throughJson(await this.meetingKey('s', organizationId, meetingId, part), this.ttl.minutes, load);
  }

  /** Everything cached about a meeting; with `minutes`, its minutes too; with an organization, its meeting lists. */
  async invalidateMeeting(meetingId: string, options: { minutes?: boolean; organizationId?: string | null } = {}): Promise<void> {
    const bumps = [this.bump(`gen:m:${meetingId}`)];
    if (options.minutes !== false) bumps.push(this.bump(`gen:s:${meetingId}`));
    if (options.organizationId) bumps.push(this.bump(`gen:o:${options.organizationId}`));
    await Promise.all(bumps);
  }

  /** Every meeting list of an organization. */
  async invalidateOrganization(organizationId: string): Promise<void> {
    await this.bump(`gen:o:${organizationId}`);
  }

  /**
   * Middleware invalidating after the dashboard's own writes (any successful
   * POST/PATCH/PUT/DELETE but questions and sign-in): the meeting in the path
   * (`/api/meetings/:id…`, `/meetings/:id…`) or in the JSON answered (an action
   * item's `meetingId`), and the organization's lists. The response is held
   * until the generations are replaced, so the writer's next read is fresh
   * even before the bus event arrives.
   */
  writeHook(orgOf: (req: Request) => string): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || READ_ONLY_WRITES.test(req.path)) return next();
      const path = req.path;
      let body: unknown;
      const json = res.json.bind(res);
      res.json = (value: unknown) => {
        body = value;
        return json(value);
      };
      const end = res.end.bind(res) as (...args: unknown[]) => Response;
      let held = false;
      res.end = ((...args: unknown[]) => {
        if (held || res.statusCode >= 400) return end(...args);
        held = true;
        let org: string | null = null;
        try {
          org = orgOf(req);
        } catch {
          org = null;
        }
        void this.invalidateWrite(path, body, org).finally(() => end(...args));
        return res;
      }) as Response['end'];
      next();
    };
  }

  /** Stops following the bus. The Cache itself belongs to whoever built it. */
  close(): void {
    this.unsubscribe();
  }

  private async invalidateWrite(path: string, body: unknown, organizationId: string | null): Promise<void> {
    const ids = new Set<string>();
    const fromPath = MEETING_PATH.exec(path)?.[1];
    if (fromPath) ids.add(fromPath.toLowerCase());
    if (body && typeof body === 'object') {
      const b = body as { meetingId?: unknown; meeting?: { id?: unknown } };
      if (typeof b.meetingId === 'string') ids.add(b.meetingId);
      if (typeof b.meeting?.id === 'string') ids.add(b.meeting.id);
    }
    await Promise.all([
      ...[...ids].map((id) => this.invalidateMeeting(id)),
      ...(organizationId ? [this.invalidateOrganization(organizationId)] : []),
    ]);
  }

  /** One line per 30 s while the backing cache fails (a Redis outage would otherwise log every request). */
  private warnOnce(err: unknown, key: string, message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 30_000) {
      this.suppressed += 1;
      return;
    }
    this.logger?.warn({ err, key, suppressedSinceLast: this.suppressed }, message);
    this.lastWarnAt = now;
    this.suppressed = 0;
  }

  private async onEvent(event: MeetingEvent): Promise<void> {
    switch (event.type) {
      case 'segment.added':
        // The transcript grew; the minutes are what they were until rewritten.
        return this.invalidateMeeting(event.meetingId, { minutes: false });
      case 'attendee.updated':
      case 'action_item.updated':
        return this.invalidateMeeting(event.meetingId);
      case 'meeting.created':
      case 'meeting.started':
      case 'meeting.ended':
      case 'meeting.cancelled':
      case 'transcript.imported':
      case 'minutes.ready':
        return this.invalidateMeeting(event.meeting.id, { organizationId: event.meeting.organizationId });
      case 'insight.added':
        return;
    }
  }

  private async meetingKey(kind: 'm' | 's', organizationId: string, meetingId: string, part: string): Promise<string> {
    const gen = await this.generation(`gen:${kind}:${meetingId}`);
    return `${kind === 'm' ? 'meeting' : 'minutes'}:${organizationId}:${meetingId}:${gen}:${part}`;
  }

  /** The current generation; a missing one (never set, expired, evicted) starts a new one, so nothing older can be read. */
  private async generation(key: string): Promise<string> {
    const current = await this.safeGet(key);
    if (current) return current;
    return this.bump(key);
  }

  private async bump(key: string): Promise<string> {
    const gen = randomBytes(6).toString('base64url');
    try {
      await this.cache.set(key, gen, GENERATION_TTL);
    } catch (err) {
      this.warnOnce(err, key, 'cache: could not replace a generation');
    }
    return gen;
  }

  private async through<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const cached = await this.safeGet(key);
    if (cached !== undefined) {
      this.count(true);
      return JSON.parse(cached, revive) as T;
    }
    this.count(false);
    const value = await load();
    await this.safeSet(key, JSON.stringify(value), ttlMs);
    return value;
  }

  private async throughJson(key: string, ttlMs: number, load: () => Promise<unknown>): Promise<string> {
    const cached = await this.safeGet(key);
    if (cached !== undefined) {
      this.count(true);
      return cached;
    }
    this.count(false);
    const text = JSON.stringify(await load());
    await this.safeSet(key, text, ttlMs);
    return text;
  }

  private count(hit: boolean): void {
    if (hit) {
      this.hits++;
      totals.hits++;
    } else {
      this.misses++;
      totals.misses++;
    }
  }

  private async safeGet(key: string): Promise<string | undefined> {
    try {
      return await this.cache.get(key);
    } catch (err) {
      this.warnOnce(err, key, 'cache: read failed, treated as a miss');
      return undefined;
    }
  }

  private async safeSet(key: string, value: string, ttlMs: number): Promise<void> {
    try {
      await this.cache.set(key, value, ttlMs);
    } catch (err) {
      this.warnOnce(err, key, 'cache: write failed');
    }
  }
}

/** A short stable digest of a query: the same filters in any key order give the same key. */
function digest(query: Record<string, unknown>): string {
  const entries = Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(JSON.stringify(entries)).digest('base64url').slice(0, 16);
}

const LOCALS_KEY = 'dashboardCache';

/** Makes the cache reachable from page handlers (which get WebDeps, not DashboardDeps). */
export function attachCache(locals: Record<string, unknown>, cache: DashboardCache): void {
  locals[LOCALS_KEY] = cache;
}

/** The dashboard's cache, or null when it runs without one. */
export function cacheOf(req: Request): DashboardCache | null {
  const cache: unknown = req.app.locals[LOCALS_KEY];
  return cache instanceof DashboardCache ? cache : null;
}
