import type { Knex } from 'knex';
import { SearchStore } from '../../core/store/SearchStore.ts';
import { prng, type Corpus } from './corpus.ts';
import { chunked, connect, copyIn, copyLine, insertMeetings, meetingSegments, meetingSizes, type BenchMeeting } from './load.ts';
import { ilikeSql, type BenchQuery } from './queries.ts';
import { ms, summarize, type LatencySummary } from './report.ts';

export interface BulkResult {
  rowsLoaded: number;
  meetings: number;
  copyMs: number;
  vacuumMs: number;
  tableMb: number;
  ginMb: number;
}

/** Tops transcript_segments up to `total` rows with COPY over `meetings` new meetings, then VACUUM ANALYZE. */
export async function bulkLoad(knex: Knex, url: string, corpus: Corpus, orgIds: string[], total: number, meetings: number, seed: number): Promise<BulkResult> {
  const rnd = prng(seed);
  const existing = Number((await knex.raw('SELECT count(*) AS n FROM transcript_segments')).rows[0].n);
  const rows = Math.max(0, total - existing);
  const list = await insertMeetings(knex, orgIds, meetings, rnd, 'Bulk meeting');
  const sizes = meetingSizes(rows, list.length, rnd);
  function* lines(): Generator<string> {
    for (let i = 0; i < list.length; i++) {
      const m: BenchMeeting = list[i]!;
      const names = m.speakers.map((s) => s.name);
      for (const s of meetingSegments(corpus, rnd, names, sizes[i]!)) yield copyLine(m, s);
    }
  }
  const client = await connect(url);
  let copyMs = 0;
  try {
    const t = performance.now();
    const n = await copyIn(client, chunked(lines()));
    copyMs = ms(t);
    if (n !== rows) throw new Error(`bulk COPY stored ${n} rows, expected ${rows}`);
  } finally {
    await client.end();
  }
  // What autovacuum does after a bulk insert: merges the GIN pending list, sets the visibility map, gathers statistics.
  const t = performance.now();
  await knex.raw('VACUUM (ANALYZE) transcript_segments');
  await knex.raw('ANALYZE meetings');
  const vacuumMs = ms(t);
  const size = (await knex.raw(
    `SELECT pg_table_size('transcript_segments') AS t, pg_relation_size('transcript_segments_tsv_idx') AS g`,
  )).rows[0];
  return { rowsLoaded: rows, meetings: list.length, copyMs, vacuumMs, tableMb: Number(size.t) / 2 ** 20, ginMb: Number(size.g) / 2 ** 20 };
}

export interface Timed {
  query: BenchQuery;
  ms: number;
  /** FTS: ranked matches (capped); ILIKE: rows returned. */
  hits: number;
}

export async function runFts(search: SearchStore, queries: BenchQuery[]): Promise<Timed[]> {
  const out: Timed[] = [];
  for (const query of queries) {
    const t = performance.now();
    const r = await search.search({ q: query.q, organizationId: query.organizationId, limit: 20 });
    out.push({ query, ms: ms(t), hits: r.total });
  }
  return out;
}

export async function runIlike(knex: Knex, queries: BenchQuery[]): Promise<Timed[]> {
  const out: Timed[] = [];
  for (const query of queries) {
    const { sql, bindings } = ilikeSql(query);
    const t = performance.now();
    const { rows } = await knex.raw(sql, bindings);
    out.push({ query, ms: ms(t), hits: rows.length });
  }
  return out;
}

/** Latency summary per query label (`rare`, `phrase+org`, …), plus `all`. */
export function byClass(timed: Timed[], key: (t: Timed) => string = (t) => t.query.cls): Record<string, LatencySummary & { avgHits: number }> {
  const groups = new Map<string, Timed[]>();
  for (const t of timed) {
    for (const k of [key(t), t.query.organizationId ? 'org-filtered' : null]) {
      if (!k) continue;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(t);
    }
  }
  const out: Record<string, LatencySummary & { avgHits: number }> = {};
  for (const [k, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    out[k] = { ...summarize(list.map((t) => t.ms)), avgHits: list.reduce((a, t) => a + t.hits, 0) / list.length };
  }
  return out;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of every statement SearchStore runs for the
 * slowest queries: the statements are captured from knex as issued, so this
 * follows SearchStore whatever its SQL.
 */
export async function explainSlowest(knex: Knex, url: string, search: SearchStore, timed: Timed[], count: number): Promise<string[]> {
  const slowest = [...timed].sort((a, b) => b.ms - a.ms).slice(0, count);
  const client = await connect(url);
  const out: string[] = [];
  try {
    for (const t of slowest) {
      const issued: { sql: string; bindings: unknown[] }[] = [];
      const listener = (data: { sql: string; bindings?: unknown[] }) => void issued.push({ sql: data.sql, bindings: data.bindings ?? [] });
      knex.on('query', listener);
      try {
        await search.search({ q: t.query.q, organizationId: t.query.organizationId, limit: 20 });
      } finally {
        knex.removeListener('query', listener);
      }
      out.push(`-- ${t.query.label} ${JSON.stringify(t.query.q)} took ${t.ms.toFixed(1)} ms`);
      for (const stmt of issued) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${stmt.sql}`, stmt.bindings);
        out.push(rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
      }
    }
  } finally {
    await client.end();
  }
  return out;
}
