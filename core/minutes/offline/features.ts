import type { MinutesInput } from '../types.ts';
import { firedCues } from './cues.ts';
import { cleanSpeech, words } from './text.ts';

/**
 * Per-segment feature names for the linear models. The same function feeds
 * training (eval/train.ts) and inference, so the two can never drift apart.
 */

export interface MeetingContext {
  segments: MinutesInput['segments'];
  cleaned: string[];
  tokens: string[][];
  cues: string[][];
  /** Speaker → rank by words spoken (0 = most talkative, usually the chair). */
  speakerRank: Map<string, number>;
}

const BACKCHANNEL = /^(?:yeah|yes|okay|ok|right|sure|mm-hmm|uh-huh|hmm|mm|no|yep|good|great|alright|fine|cool)$/;

export function buildContext(segments: MinutesInput['segments']): MeetingContext {
  const cleaned = segments.map((s) => cleanSpeech(s.text));
  const tokens = cleaned.map((c) => words(c));
  const cues = segments.map((s) => firedCues(s.text));
  const talk = new Map<string, number>();
  segments.forEach((s, i) => talk.set(s.speaker, (talk.get(s.speaker) ?? 0) + tokens[i]!.length));
  const ranked = [...talk.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const speakerRank = new Map(ranked.map(([s], r) => [s, r]));
  return { segments, cleaned, tokens, cues, speakerRank };
}

function lengthBin(n: number): string {
  if (n <= 1) return '1';
  if (n <= 3) return '2-3';
  if (n <= 6) return '4-6';
  if (n <= 12) return '7-12';
  if (n <= 20) return '13-20';
  return '21+';
}

export function isBackchannel(ctx: MeetingContext, i: number): boolean {
  const t = ctx.tokens[i];
  return !t || t.length === 0 || (t.length <= 2 && t.every((w) => BACKCHANNEL.test(w)));
}

/** Index of the nearest segment in direction `step` that is not a backchannel. */
function neighbour(ctx: MeetingContext, i: number, step: 1 | -1): number | null {
  for (let j = i + step, k = 0; j >= 0 && j < ctx.segments.length && k < 4; j += step, k++) {
    if (!isBackchannel(ctx, j)) return j;
  }
  return null;
}

function contextFeatures(ctx: MeetingContext, i: number, out: string[]): void {
  const prev = neighbour(ctx, i, -1);
  const next = neighbour(ctx, i, 1);
  const me = ctx.segments[i]!.speaker;
  if (prev !== null) for (const c of ctx.cues[prev]!) out.push(`prev:${c}`);
  if (next !== null) {
    for (const c of ctx.cues[next]!) out.push(`next:${c}`);
    if (ctx.segments[next]!.speaker === me) out.push('next:same');
  }
  const after = ctx.segments[i + 1];
  if (after && after.speaker !== me && isBackchannel(ctx, i + 1)) out.push('next:backchannel');
  if (prev !== null && /\?\s*$/.test(ctx.segments[prev]!.text)) out.push('prev:question');
  let nearNext = false;
  for (let j = Math.max(0, i - 8); j <= Math.min(ctx.segments.length - 1, i + 8); j++) {
    if (ctx.cues[j]!.includes('next_meeting')) nearNext = true;
  }
  if (nearNext) out.push('near:next_meeting');
}

export function segmentFeatures(ctx: MeetingContext, i: number): string[] {
  const out: string[] = ['bias'];
  const toks = ctx.tokens[i]!;
  const n = ctx.segments.length;
  const rel = n > 1 ? i / (n - 1) : 0;
  out.push(`pos:${Math.min(9, Math.floor(rel * 10))}`);
  if (rel >= 0.95) out.push('pos:last5');
  if (rel <= 0.05) out.push('pos:first5');
  out.push(`len:${lengthBin(toks.length)}`);
  if (isBackchannel(ctx, i)) out.push('backchannel');
  const rank = ctx.speakerRank.get(ctx.segments[i]!.speaker) ?? 9;
  out.push(`spk:${Math.min(rank, 3)}`);
  if (/\?\s*$/.test(ctx.segments[i]!.text)) out.push('qmark');
  for (const c of ctx.cues[i]!) {
    out.push(`cue:${c}`);
    if (rank === 0) out.push(`cue0:${c}`);
  }
  const seen = new Set<string>();
  for (let k = 0; k < toks.length; k++) {
    const u = `w:${toks[k]}`;
    if (!seen.has(u)) (seen.add(u), out.push(u));
    if (k + 1 < toks.length) {
      const b = `b:${toks[k]}_${toks[k + 1]}`;
      if (!seen.has(b)) (seen.add(b), out.push(b));
    }
  }
  if (toks[0]) out.push(`first:${toks[0]}`);
  contextFeatures(ctx, i, out);
  return out;
}
