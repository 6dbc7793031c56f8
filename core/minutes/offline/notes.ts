import type { ExtractedNote } from '../types.ts';
import type { MeetingContext } from './features.ts';
import { isBackchannel } from './features.ts';
import { phraseNote } from './phrase.ts';

/**
 * Open questions: interrogatives that nobody else answered in the next few
 * segments (a short "yeah" is not an answer; a substantive reply is).
 */

const INTERROGATIVE = /^(?:\W*(?:um|uh|so|and|okay|but|well)\W+)*(?:what|how|why|when|where|who|which|should|shall|can|could|do|does|did|is|are|will|would|have|has)\b/i;
const RHETORICAL = /\b(?:isn't it|right|okay|yeah|you know)\?\s*$/i;

export function isQuestion(ctx: MeetingContext, i: number): boolean {
  const text = ctx.segments[i]!.text.trim();
  if (ctx.tokens[i]!.length < 4 || RHETORICAL.test(text)) return false;
  return /\?\s*$/.test(text) || (INTERROGATIVE.test(text) && !/[.!]\s*$/.test(text));
}

function answered(ctx: MeetingContext, i: number, lookahead = 4): boolean {
  const asker = ctx.segments[i]!.speaker;
  for (let j = i + 1; j < ctx.segments.length && j <= i + lookahead; j++) {
    if (ctx.segments[j]!.speaker === asker || isBackchannel(ctx, j)) continue;
    if (ctx.tokens[j]!.length >= 3 && !/\?\s*$/.test(ctx.segments[j]!.text)) return true;
  }
  return false;
}

export function openQuestions(ctx: MeetingContext, max = 5): ExtractedNote[] {
  const found: { i: number; confidence: number }[] = [];
  for (let i = 0; i < ctx.segments.length; i++) {
    if (!isQuestion(ctx, i) || answered(ctx, i)) continue;
    const lengthBonus = Math.min(0.3, ctx.tokens[i]!.length / 40);
    found.push({ i, confidence: 0.45 + lengthBonus + (/\?\s*$/.test(ctx.segments[i]!.text) ? 0.1 : 0) });
  }
  return found
    .sort((a, b) => b.confidence - a.confidence || a.i - b.i)
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map(({ i, confidence }) => ({
      text: phraseNote(ctx.segments[i]!.text),
      confidence: Math.round(confidence * 1000) / 1000,
      evidenceSegmentIds: [ctx.segments[i]!.id],
    }));
}
