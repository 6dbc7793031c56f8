import { z } from 'zod';
import { PRIORITIES } from '../types.ts';

/**
 * The JSON one analysis pass returns: everything the minutes hold, in one
 * answer. Lenient where a model's slip costs nothing (missing arrays,
 * out-of-range confidence, unknown priority), strict where the shape matters,
 * so a repair round trip is spent only on answers that are really unusable.
 */
const evidence = z.array(z.coerce.number().int()).catch([]).default([]);
const confidence = z.coerce.number().transform((n) => Math.min(1, Math.max(0, n))).catch(0.7).default(0.7);
const note = z.object({ text: z.string(), confidence, evidence });

export const llmMinutesSchema = z.object({
  abstract: z.string().default(''),
  sections: z.array(z.object({ title: z.string(), text: z.string(), evidence })).default([]),
  actionItems: z.array(z.object({
    text: z.string(),
    owner: z.string().nullish().transform((v) => v ?? null),
    due: z.string().nullish().transform((v) => v ?? null),
    priority: z.enum(PRIORITIES).catch('medium').default('medium'),
    confidence,
    evidence,
  })).default([]),
  decisions: z.array(note).default([]),
  questions: z.array(note).default([]),
  blockers: z.array(note).default([]),
});

export type LlmMinutes = z.infer<typeof llmMinutesSchema>;

/** The same shape written out for the prompt (cheaper than a JSON Schema and as clear to a model). */
export const MINUTES_JSON_SHAPE = `{"abstract": string,
 "sections": [{"title": string, "text": string, "evidence": [segment id, ...]}],
 "actionItems": [{"text": string, "owner": attendee name or null, "due": "YYYY-MM-DD" or null, "priority": "low"|"medium"|"high"|"critical", "confidence": 0..1, "evidence": [segment id, ...]}],
 "decisions": [{"text": string, "confidence": 0..1, "evidence": [segment id, ...]}],
 "questions": [same as decisions; open questions],
 "blockers": [same as decisions; things blocking progress]}`;

/** Only the abstract, for the optional reduce pass over a long meeting's parts. */
export const abstractSchema = z.object({ abstract: z.string().min(1) });
