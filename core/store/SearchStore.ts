import type { Knex } from 'knex';
import { MinutesError } from '../errors.ts';
import { escapeHtml } from '../format.ts';
import type { Segment } from '../types.ts';
import { isUuid } from './MeetingStore.ts';
import { toSegment } from './rows.ts';

export interface SearchQuery {
  /** Web-search syntax: `"exact phrase"`, `or`, `-excluded`. */
  q: string;
  organizationId?: string;
  meetingId?: string;
  speaker?: string;
  /** Meetings that started at or after / before these instants. */
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export interface SearchHit {
  segment: Segment;
  meeting: { id: string; title: string; startedAt: Date | null; organizationId: string };
  rank: number;
  /** HTML-safe excerpt with matches wrapped in `<mark>`. */
  snippet: string;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Matches ranked; when `capped`, more matched than were ranked. */
  total: number;
  capped: boolean;
  limit: number;
  offset: number;
}

// ts_headline markers that cannot occur in transcript text, swapped for <mark>
// after the text itself is HTML-escaped.
const START = '\u0001';
const STOP = '\u0002';

export class SearchStore {
  /**
   * `candidateCap` bounds how many matches are ranked: ranking every segment
   * that contains a common word is what makes naive ts_rank slow.
   */
  constructor(private readonly db: Knex, private readonly candidateCap = 500) {}

  async search(query: SearchQuery): Promise<SearchResult> {
    const q = query.q.trim();
    if (!q) throw new MinutesError('SEARCH_INVALID', 'Search query is empty');
    if (q.length > 500) throw new MinutesError('SEARCH_INVALID', 'Search query is longer than 500 characters');
    const limit = Math.min(Math.max(query.limit ?? 20, 1), 100);
    const offset = Math.max(query.offset ?? 0, 0);
    const { where, bindings } = filters(query);
    if (where === null) return { hits: [], total: 0, capped: false, limit, offset };

    // One statement: candidates, ranking, and rows plus headlines for the page
    // only (headlines are costly). The tsquery is written inline rather than
    // in a shared CTE so the planner sees it and can use the tsvector
    // statistics: for a common word it then reads the table until it has
    // enough candidates instead of building a bitmap of every match.
    const tsquery = `websearch_to_tsquery('english', ?)`;
    const { rows } = await this.db.raw(
      `WITH candidates AS MATERIALIZED (
         SELECT s.id, s.tsv FROM transcript_segments s
         JOIN meetings m ON m.id = s.meeting_id
         WHERE s.tsv @@ ${tsquery} ${where}
         LIMIT ?
       ),
       ranked AS (
         SELECT c.id, ts_rank_cd(c.tsv, ${tsquery}, 1) AS rank, count(*) OVER () AS total
         FROM candidates c
         ORDER BY rank DESC, c.id DESC
         LIMIT ? OFFSET ?
       )
       SELECT r.rank, r.total, s.id, s.meeting_id, s.attendee_id, s.speaker, s.start_ms, s.end_ms, s.text, s.confidence,
              s.source, s.source_seq, s.language, m.title, m.started_at, m.organization_id,
              ts_headline('english', s.text, ${tsquery},
                'StartSel="${START}", StopSel="${STOP}", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS headline
       FROM ranked r
       JOIN transcript_segments s ON s.id = r.id
       JOIN meetings m ON m.id = s.meeting_id
       ORDER BY r.rank DESC, r.id DESC`,
      [q, ...bindings, this.candidateCap + 1, q, limit, offset, q],
    );
    if (rows.length === 0) {
      return { hits: [], total: offset > 0 ? await this.countOnly(q, where, bindings) : 0, capped: false, limit, offset };
    }
    const total = Number(rows[0].total);
    const hits: SearchHit[] = rows.map((row: any) => ({
      segment: toSegment(row),
      meeting: { id: row.meeting_id, title: row.title, startedAt: row.started_at ? new Date(row.started_at) : null, organizationId: row.organization_id },
      rank: Number(row.rank),
      snippet: markSnippet(row.headline),
    }));
    return { hits, total: Math.min(total, this.candidateCap), capped: total > this.candidateCap, limit, offset };
  }

  private async countOnly(q: string, where: string, bindings: Knex.Value[]): Promise<number> {
    const { rows } = await this.db.raw(
      `SELECT count(*) AS n FROM (
         SELECT 1 FROM transcript_segments s JOIN meetings m ON m.id = s.meeting_id
         WHERE s.tsv @@ websearch_to_tsquery('english', ?) ${where} LIMIT ?) t`,
      [q, ...bindings, this.candidateCap],
    );
    return Number(rows[0].n);
  }
}

/** SQL for the filters; `where: null` means a filter can match nothing (e.g. a malformed id). */
function filters(query: SearchQuery): { where: string | null; bindings: Knex.Value[] } {
  const parts: string[] = [];
  const bindings: Knex.Value[] = [];
  if (query.organizationId !== undefined) {
    if (!isUuid(query.organizationId)) return { where: null, bindings };
    parts.push('AND m.organization_id = ?');
    bindings.push(query.organizationId);
  }
  if (query.meetingId !== undefined) {
    if (!isUuid(query.meetingId)) return { where: null, bindings };
    parts.push('AND s.meeting_id = ?');
    bindings.push(query.meetingId);
  }
  if (query.speaker) {
    parts.push('AND lower(s.speaker) = lower(?)');
    bindings.push(query.speaker);
  }
  if (query.from) {
    parts.push('AND coalesce(m.started_at, m.created_at) >= ?');
    bindings.push(query.from);
  }
  if (query.to) {
    parts.push('AND coalesce(m.started_at, m.created_at) < ?');
    bindings.push(query.to);
  }
  return { where: parts.join(' '), bindings };
}

function markSnippet(headline: string): string {
  return escapeHtml(headline).split(START).join('<mark>').split(STOP).join('</mark>');
}
