import type { Knex } from 'knex';
import { BIGRAMS, pick, prng, type Corpus } from './corpus.ts';

/**
 * The mixed query set: each query in web-search syntax for SearchStore, and
 * the same intent as the naive ILIKE a first implementation would write.
 */
export type QueryClass = 'rare' | 'mid' | 'common' | 'phrase' | 'or' | 'not';

export interface BenchQuery {
  cls: QueryClass;
  /** `cls` plus `+org` when filtered by organization. */
  label: string;
  q: string;
  organizationId?: string;
  /** ILIKE conditions on `s.text` (the org filter is added separately). */
  ilike: { where: string; params: string[] };
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Words Postgres' english configuration drops (so FTS cannot search them at all). */
async function stopwords(knex: Knex, words: string[]): Promise<Set<string>> {
  const { rows } = await knex.raw(`SELECT w FROM unnest(?::text[]) AS w WHERE ts_lexize('english_stem', w) = '{}'`, [words]);
  return new Set(rows.map((r: { w: string }) => r.w));
}

export interface QueryPools {
  rare: string[];
  mid: string[];
  common: string[];
}

export async function queryPools(knex: Knex, corpus: Corpus): Promise<QueryPools> {
  const head = corpus.words.slice(0, corpus.tailStart);
  const stop = await stopwords(knex, head);
  const content = head.filter((w) => !stop.has(w));
  return {
    // The most frequent words a search can use: each is in ~5–15% of segments.
    common: content.slice(0, 12),
    // Typical meeting vocabulary a user searches for.
    mid: content.slice(30, 250),
    // Made-up tail words past the first 2,000: ~3–70 segments each at 1M segments.
    rare: corpus.words.slice(corpus.tailStart + 2000),
  };
}

const MIX: [QueryClass, number][] = [['rare', 40], ['mid', 34], ['common', 30], ['phrase', 40], ['or', 30], ['not', 26]];

/** `n` queries in a seeded random order; about one in eight has an organization filter. */
export function buildQueries(pools: QueryPools, orgIds: string[], n: number, seed: number): BenchQuery[] {
  const rnd = prng(seed);
  const total = MIX.reduce((a, [, k]) => a + k, 0);
  const out: BenchQuery[] = [];
  for (const [cls, weight] of MIX) {
    const count = Math.round((weight / total) * n);
    for (let i = 0; i < count; i++) out.push(makeQuery(cls, pools, rnd));
  }
  while (out.length < n) out.push(makeQuery('mid', pools, rnd));
  out.length = n;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  for (const q of out) {
    if (rnd() < 0.125) {
      q.organizationId = pick(rnd, orgIds);
      q.label = `${q.cls}+org`;
    }
  }
  return out;
}

function makeQuery(cls: QueryClass, pools: QueryPools, rnd: () => number): BenchQuery {
  const word = (pool: string[]) => pick(rnd, pool);
  const single = (w: string): BenchQuery => ({ cls, label: cls, q: w, ilike: { where: 's.text ILIKE ?', params: [like(w)] } });
  switch (cls) {
    case 'rare':
      return single(word(pools.rare));
    case 'mid':
      return single(word(pools.mid));
    case 'common':
      return single(word(pools.common));
    case 'phrase': {
      // Mostly phrases people repeat; some adjacent pairs that seldom occur.
      const phrase = rnd() < 0.75 ? pick(rnd, BIGRAMS) : `${word(pools.mid)} ${word(pools.mid)}`;
      return { cls, label: cls, q: `"${phrase}"`, ilike: { where: 's.text ILIKE ?', params: [like(phrase)] } };
    }
    case 'or': {
      const a = word(rnd() < 0.5 ? pools.rare : pools.mid);
      const b = word(rnd() < 0.3 ? pools.common : pools.mid);
      return { cls, label: cls, q: `${a} or ${b}`, ilike: { where: '(s.text ILIKE ? OR s.text ILIKE ?)', params: [like(a), like(b)] } };
    }
    case 'not': {
      const a = word(rnd() < 0.3 ? pools.common : pools.mid);
      const b = word(rnd() < 0.5 ? pools.common : pools.mid);
      return { cls, label: cls, q: `${a} -${b}`, ilike: { where: 's.text ILIKE ? AND s.text NOT ILIKE ?', params: [like(a), like(b)] } };
    }
  }
}

/** The naive query: substring match, newest first. */
export function ilikeSql(q: BenchQuery): { sql: string; bindings: string[] } {
  const org = q.organizationId ? ' AND m.organization_id = ?' : '';
  return {
    sql: `SELECT s.id, s.meeting_id, s.speaker, s.start_ms, s.text FROM transcript_segments s
          JOIN meetings m ON m.id = s.meeting_id
          WHERE ${q.ilike.where}${org} ORDER BY s.id DESC LIMIT 20`,
    bindings: [...q.ilike.params, ...(q.organizationId ? [q.organizationId] : [])],
  };
}
