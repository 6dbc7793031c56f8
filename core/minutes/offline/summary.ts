import { stemmer } from 'stemmer';
import type { SummarySection } from '../types.ts';
import type { MeetingContext } from './features.ts';
import { capitalize, contentWords, stripMentions, tidySentence } from './text.ts';

/**
 * Extractive summary: segment salience (learned model blended with TextRank
 * centrality), MMR to avoid saying the same thing twice, and topic sections
 * from a TextTiling-style lexical-cohesion split.
 */

type Vec = Map<string, number>;

export interface SummaryOptions {
  /** Word budget of the abstract. */
  abstractWords: number;
  /** Weight of the learned salience against TextRank (0..1); 0 won on AMI dev (the salience labels are decision/action links, not abstract content). */
  modelWeight: number;
  mmrLambda: number;
  /** Rewrite sentences as reported speech ("we'll" → "the team will") and drop hedges. */
  reported: boolean;
  /** Open the abstract with one "The team discussed …" line naming the main topics. */
  topicLine: boolean;
  /** How many topic keywords the opening line names. */
  topics: number;
}

const HEDGE_WORDS = /\b(?:i think|i guess|i suppose|i mean|you know|just|really|actually|basically|probably|maybe|perhaps|obviously|like|yeah|okay|ok|so|well|right|anyway|alright)\b,?\s*/gi;

/** Minutes voice for an extracted sentence: no hedges, first person plural as "the team". */
export function reportedSpeech(sentence: string): string {
  let t = sentence.replace(HEDGE_WORDS, '');
  t = t
    .replace(/\bwe're\b/gi, 'the team is')
    .replace(/\bwe've\b/gi, 'the team has')
    .replace(/\bwe'll\b/gi, 'the team will')
    .replace(/\bwe'd\b/gi, 'the team would')
    .replace(/\blet's\b/gi, 'the team will')
    .replace(/\bwe\b/gi, 'the team')
    .replace(/\bour\b/gi, "the team's")
    .replace(/\bus\b/g, 'the team')
    .replace(/\bgonna\b/gi, 'going to')
    .replace(/\bwanna\b/gi, 'want to');
  t = t.replace(/\s+([,.?!])/g, '$1').replace(/[,;:]+([.?!])/g, '$1').replace(/^[,\s]+/, '').replace(/\s+/g, ' ').trim();
  return t ? t[0]!.toUpperCase() + t.slice(1) : t;
}

export const DEFAULT_SUMMARY: SummaryOptions = { abstractWords: 180, modelWeight: 0, mmrLambda: 0.5, reported: true, topicLine: true, topics: 6 };

const MIN_WORDS = 6;

function vectorOf(ctx: MeetingContext, i: number, stems: Map<string, string>): Vec {
  const v: Vec = new Map();
  for (const w of contentWords(ctx.cleaned[i]!)) {
    let s = stems.get(w);
    if (s === undefined) stems.set(w, (s = stemmer(w)));
    v.set(s, (v.get(s) ?? 0) + 1);
  }
  return v;
}

function cosine(a: Vec, b: Vec): number {
  if (a.size === 0 || b.size === 0) return 0;
  let dot = 0;
  const [small, big] = a.size < b.size ? [a, b] : [b, a];
  for (const [k, x] of small) dot += x * (big.get(k) ?? 0);
  if (dot === 0) return 0;
  let na = 0;
  let nb = 0;
  for (const x of a.values()) na += x * x;
  for (const x of b.values()) nb += x * x;
  return dot / Math.sqrt(na * nb);
}

/** PageRank over the cosine-similarity graph of the candidate segments. */
function textRank(vecs: Vec[], iterations = 20, damping = 0.85): number[] {
  const n = vecs.length;
  const edges: { j: number; w: number }[][] = vecs.map(() => []);
  const outSum = new Array<number>(n).fill(0);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const w = cosine(vecs[a]!, vecs[b]!);
      if (w < 0.1) continue;
      edges[a]!.push({ j: b, w });
      edges[b]!.push({ j: a, w });
      outSum[a]! += w;
      outSum[b]! += w;
    }
  }
  let rank = new Array<number>(n).fill(1 / Math.max(1, n));
  for (let it = 0; it < iterations; it++) {
    const next = new Array<number>(n).fill((1 - damping) / Math.max(1, n));
    for (let a = 0; a < n; a++) {
      if (outSum[a] === 0) continue;
      for (const { j, w } of edges[a]!) next[j]! += (damping * rank[a]! * w) / outSum[a]!;
    }
    rank = next;
  }
  return rank;
}

export interface Candidate {
  index: number;
  vec: Vec;
  salience: number;
  sentence: string;
  words: number;
}

/** Candidate sentences with blended salience; only the top ones by model score enter TextRank (keeps it O(k²)). */
export function candidates(ctx: MeetingContext, modelProbs: readonly number[] | null, opts: SummaryOptions, limit = 400): Candidate[] {
  const stems = new Map<string, string>();
  let pool: number[] = [];
  for (let i = 0; i < ctx.segments.length; i++) {
    if (ctx.tokens[i]!.length < MIN_WORDS) continue;
    pool.push(i);
  }
  if (pool.length > limit) {
    const key = (i: number) => (modelProbs ? modelProbs[i]! : ctx.tokens[i]!.length);
    pool = pool.sort((a, b) => key(b) - key(a) || a - b).slice(0, limit).sort((a, b) => a - b);
  }
  const vecs = pool.map((i) => vectorOf(ctx, i, stems));
  const ranks = textRank(vecs);
  const maxRank = Math.max(1e-9, ...ranks);
  return pool.map((index, k) => {
    const tr = ranks[k]! / maxRank;
    const salience = modelProbs ? opts.modelWeight * modelProbs[index]! + (1 - opts.modelWeight) * tr : tr;
    const tidy = tidySentence(stripMentions(ctx.segments[index]!.text));
    const sentence = opts.reported ? reportedSpeech(tidy) : tidy;
    return { index, vec: vecs[k]!, salience, sentence, words: sentence.split(/\s+/).length };
  }).filter((c) => c.sentence.length > 0 && c.vec.size > 0);
}

/** Maximal marginal relevance under a word budget; returned in time order. */
export function mmr(pool: readonly Candidate[], budgetWords: number, lambda: number, maxItems = Infinity): Candidate[] {
  const chosen: Candidate[] = [];
  const left = [...pool];
  let used = 0;
  while (left.length && used < budgetWords && chosen.length < maxItems) {
    let best = -1;
    let bestScore = -Infinity;
    left.forEach((c, k) => {
      const redundancy = chosen.reduce((m, s) => Math.max(m, cosine(c.vec, s.vec)), 0);
      const v = lambda * c.salience - (1 - lambda) * redundancy;
      if (v > bestScore) (bestScore = v), (best = k);
    });
    const [pick] = left.splice(best, 1);
    chosen.push(pick!);
    used += pick!.words;
  }
  return chosen.sort((a, b) => a.index - b.index);
}

/** TextTiling-like boundaries: valleys of cohesion between adjacent windows of segments. */
export function topicBoundaries(ctx: MeetingContext, maxSections: number, window = 20): number[] {
  const n = ctx.segments.length;
  if (maxSections <= 1 || n < window * 3) return [];
  const stems = new Map<string, string>();
  const vecs = ctx.segments.map((_, i) => vectorOf(ctx, i, stems));
  const merged = (from: number, to: number): Vec => {
    const v: Vec = new Map();
    for (let i = Math.max(0, from); i < Math.min(n, to); i++) for (const [k, x] of vecs[i]!) v.set(k, (v.get(k) ?? 0) + x);
    return v;
  };
  const gaps: { at: number; depth: number }[] = [];
  const step = Math.max(5, Math.floor(window / 2));
  for (let at = window; at <= n - window; at += step) {
    gaps.push({ at, depth: 1 - cosine(merged(at - window, at), merged(at, at + window)) });
  }
  const minGap = Math.floor(n / (maxSections * 2));
  const picked: number[] = [];
  for (const g of [...gaps].sort((a, b) => b.depth - a.depth || a.at - b.at)) {
    if (picked.length >= maxSections - 1) break;
    if (picked.some((p) => Math.abs(p - g.at) < minGap)) continue;
    picked.push(g.at);
  }
  return picked.sort((a, b) => a - b);
}

function sectionTitle(pool: readonly Candidate[], ctx: MeetingContext): string {
  const tf = new Map<string, number>();
  for (const c of pool) for (const w of contentWords(ctx.cleaned[c.index]!)) tf.set(w, (tf.get(w) ?? 0) + 1);
  const top = [...tf.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([w]) => w);
  return top.length ? capitalize(top.join(', ')) : 'Discussion';
}

export function buildSections(ctx: MeetingContext, pool: readonly Candidate[], opts: SummaryOptions): SummarySection[] {
  const n = ctx.segments.length;
  const maxSections = Math.max(1, Math.min(6, Math.round(n / 200)));
  const cuts = [0, ...topicBoundaries(ctx, maxSections), n];
  const sections: SummarySection[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const inside = pool.filter((c) => c.index >= cuts[k]! && c.index < cuts[k + 1]!);
    if (inside.length === 0) continue;
    const picks = mmr(inside, 60, opts.mmrLambda, 3);
    sections.push({
      title: sectionTitle(inside, ctx),
      text: picks.map((c) => c.sentence).join(' '),
      evidenceSegmentIds: picks.map((c) => ctx.segments[c.index]!.id),
    });
  }
  return sections;
}

/** "The team discussed a, b and c." from the section titles' keywords (deduplicated, at most 6). */
export function topicLine(sections: readonly SummarySection[], max = 6): string | null {
  const seen = new Set<string>();
  for (const s of sections) for (const w of s.title.toLowerCase().split(/,\s*/)) if (w && w !== 'discussion') seen.add(w);
  const topics = [...seen].slice(0, max);
  if (topics.length === 0) return null;
  const list = topics.length === 1 ? topics[0]! : `${topics.slice(0, -1).join(', ')} and ${topics.at(-1)}`;
  return `The team discussed ${list}.`;
}
