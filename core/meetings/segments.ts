import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MinutesError } from '../errors.ts';
import type { SegmentInput } from '../types.ts';

export const MAX_SEGMENT_TEXT = 20_000;

export const segmentInputSchema = z
  .object({
    speaker: z.string().trim().min(1, 'speaker is empty').max(200),
    startMs: z.number().int().min(0).max(2_000_000_000),
    endMs: z.number().int().min(0).max(2_000_000_000),
    text: z.string().trim().min(1, 'text is empty').max(MAX_SEGMENT_TEXT),
    confidence: z.number().min(0).max(1).nullish(),
    source: z.string().trim().min(1).max(100).optional(),
    sourceSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
    language: z.string().trim().min(2).max(35).nullish(),
  })
  .refine((s) => s.endMs >= s.startMs, { message: 'endMs is before startMs', path: ['endMs'] });

export type ValidSegment = Required<Pick<SegmentInput, 'speaker' | 'startMs' | 'endMs' | 'text' | 'source'>> & {
  confidence: number | null;
  sourceSeq: number;
  language: string | null;
};

/**
 * Validates a whole batch before anything is written, so a bad segment in the
 * middle rejects the batch instead of storing half of it.
 */
export function validateSegments(inputs: SegmentInput[], defaultSource = 'api'): ValidSegment[] {
  return inputs.map((input, index) => {
    const parsed = segmentInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new MinutesError('SEGMENT_INVALID', `Segment ${index}: ${issue.path.join('.') || 'segment'} ${issue.message}`, {
        details: { index, path: issue.path.join('.') },
      });
    }
    const s = parsed.data;
    return {
      speaker: s.speaker,
      startMs: s.startMs,
      endMs: s.endMs,
      text: s.text,
      confidence: s.confidence ?? null,
      source: s.source ?? defaultSource,
      sourceSeq: s.sourceSeq ?? contentSeq(s.speaker, s.startMs, s.text),
      language: s.language ?? null,
    };
  });
}

/**
 * A producer that does not number its segments still gets idempotency: the
 * same speaker saying the same words at the same moment maps to the same
 * sequence number (48 bits of a hash, safe as a JS number and a bigint).
 */
export function contentSeq(speaker: string, startMs: number, text: string): number {
  const digest = createHash('sha256').update(`${speaker}\u0000${startMs}\u0000${text}`).digest();
  return digest.readUIntBE(0, 6);
}
