import type { ExtractedActionItem, ExtractedNote, Minutes, MinutesInput, SummarySection } from '../minutes/types.ts';
import type { LlmMinutes } from './minutesSchema.ts';

/**
 * Post-validation of model output. The model is treated like any other
 * untrusted input: whatever a transcript line talked it into, the minutes
 * only cite real segments, only name attendees as owners, never ping a whole
 * channel and never carry a link nobody said.
 */
export type MinutesBody = Omit<Minutes, 'provenance'>;

export interface ValidationContext {
  attendees: MinutesInput['attendees'];
  segmentIds: ReadonlySet<number>;
  /** All transcript text, lower-cased, to check that a link was really said. */
  transcriptText: string;
  /** A turn's label id → every segment of the turn (the model saw them as one line). */
  turnMembers: ReadonlyMap<number, number[]>;
}

export function validationContext(input: MinutesInput, turns: { ids: number[] }[] = []): ValidationContext {
  return {
    attendees: input.attendees,
    segmentIds: new Set(input.segments.map((s) => s.id)),
    transcriptText: input.segments.map((s) => s.text).join('\n').toLowerCase(),
    turnMembers: new Map(turns.map((t) => [t.ids[0]!, t.ids])),
  };
}

const MENTIONS = [
  // Discord <@123> <@!123> <@&role> <#channel>, Slack <@U123|name> <!channel> <!subteam^S1> <#C1>: any control sequence.
  /<[@#!][^<>\s]*>/g,
  /<at\b[^>]*>[\s\S]*?<\/at>/gi, // Teams
  /(^|[^\w])@(?:everyone|here|channel|all)\b/gi,
];
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;

export function stripMentions(text: string): string {
  return MENTIONS.reduce((t, re) => t.replace(re, (_m, lead: unknown) => (typeof lead === 'string' ? lead : ' ')), text);
}

export function stripUnsaidUrls(text: string, transcriptText: string): string {
  return text.replace(URL, (match) => {
    const url = match.replace(/[.,;:!?)\]}]+$/, '');
    const tail = match.slice(url.length);
    return transcriptText.includes(url.toLowerCase()) ? match : tail;
  });
}

export function cleanText(text: string, ctx: ValidationContext): string {
  return stripUnsaidUrls(stripMentions(text), ctx.transcriptText)
    .replace(/\[([^\]]*)\]\(\s*\)/g, '$1') // a markdown link whose URL was removed
    .replace(/\s{2,}/g, ' ')
    .replace(/\s+([.,;:!?])/g, '$1')
    .trim();
}

export function normalizeName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/^@/, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** An attendee by id, exact display name or normalized display name; otherwise nobody. */
export function resolveOwner(owner: string | null, attendees: MinutesInput['attendees']): { id: string; name: string } | null {
  if (!owner) return null;
  const byId = attendees.find((a) => a.id === owner) ?? attendees.find((a) => a.displayName === owner);
  const match = byId ?? attendees.find((a) => normalizeName(a.displayName) === normalizeName(owner) && normalizeName(owner) !== '');
  return match ? { id: match.id, name: match.displayName } : null;
}

function validEvidence(ids: number[], ctx: ValidationContext): number[] {
  const real = ids.filter((id) => ctx.segmentIds.has(id));
  return [...new Set(real.flatMap((id) => ctx.turnMembers.get(id) ?? [id]))].sort((a, b) => a - b);
}

function validDay(day: string | null): string | null {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(day) ? day : null;
}

function notes(items: LlmMinutes['decisions'], ctx: ValidationContext): ExtractedNote[] {
  return items.flatMap((n) => {
    const text = cleanText(n.text, ctx);
    const evidenceSegmentIds = validEvidence(n.evidence, ctx);
    return text && evidenceSegmentIds.length > 0 ? [{ text, confidence: n.confidence, evidenceSegmentIds }] : [];
  });
}

/** Model JSON → minutes body, dropping or correcting whatever the transcript does not support. */
export function toMinutesBody(raw: LlmMinutes, ctx: ValidationContext): MinutesBody {
  const sections: SummarySection[] = raw.sections.flatMap((s) => {
    const text = cleanText(s.text, ctx);
    const evidenceSegmentIds = validEvidence(s.evidence, ctx);
    return text && evidenceSegmentIds.length > 0 ? [{ title: cleanText(s.title, ctx) || 'Discussion', text, evidenceSegmentIds }] : [];
  });
  const actionItems: ExtractedActionItem[] = raw.actionItems.flatMap((a) => {
    const text = cleanText(a.text, ctx);
    const evidenceSegmentIds = validEvidence(a.evidence, ctx);
    if (!text || evidenceSegmentIds.length === 0) return [];
    const owner = resolveOwner(a.owner, ctx.attendees);
    return [{
      text, ownerAttendeeId: owner?.id ?? null, ownerName: owner?.name ?? null, dueDate: validDay(a.due),
      priority: a.priority, confidence: a.confidence, evidenceSegmentIds,
    }];
  });
  return {
    summary: { abstract: cleanText(raw.abstract, ctx), sections },
    actionItems,
    decisions: notes(raw.decisions, ctx),
    questions: notes(raw.questions, ctx),
    blockers: notes(raw.blockers, ctx),
  };
}
