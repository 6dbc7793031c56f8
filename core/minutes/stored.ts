import type { ActionItem, Decision, MeetingBundle, MeetingNote, Summary } from '../types.ts';
import type { MinutesProvenance, SummarySection } from './types.ts';

/**
 * Minutes as they are stored, read back for the CLI, the dashboard and the
 * Markdown export. The summaries table holds text only, so who wrote the
 * minutes and which segments each topic cites live in the meeting's settings
 * (`settings.minutes`), written together with the items by MinutesService.
 */
export interface StoredProvenance extends MinutesProvenance {
  generatedAt?: string;
  /** Topic titles with their evidence, in the order of the `topics` summary. */
  sections?: { title: string; evidenceSegmentIds: number[] }[];
}

export interface MinutesView {
  meetingId: string;
  /** False until minutes were written (by an analyzer or by hand). */
  exists: boolean;
  provenance: StoredProvenance | null;
  /** "offline analyzer", "openai gpt-4.1-mini", or the fallback and why. */
  writtenBy: string;
  abstract: string | null;
  topics: SummarySection[];
  decisions: Decision[];
  actionItems: ActionItem[];
  questions: MeetingNote[];
  blockers: MeetingNote[];
}

/** One line per topic title; text folded onto one line, so `### ` can only start a title. */
export function formatTopics(sections: Pick<SummarySection, 'title' | 'text'>[]): string {
  return sections.map((s) => `### ${topicTitle(s.title)}\n${fold(s.text)}`).join('\n\n');
}

const fold = (s: string) => s.replace(/\s+/g, ' ').trim();

/** A topic's title as stored: one line, never empty. */
export function topicTitle(title: string): string {
  return fold(title) || 'Discussion';
}

export function parseTopics(text: string): { title: string; text: string }[] {
  return text
    .split(/^### /m)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => {
      const [title = '', ...rest] = block.split('\n');
      return { title: title.trim(), text: rest.join(' ').replace(/\s+/g, ' ').trim() };
    });
}

/** The `topics` summary's sections with the evidence recorded when they were written. */
export function topicsWithEvidence(text: string, provenance: StoredProvenance | null): SummarySection[] {
  const cited = provenance?.sections ?? [];
  return parseTopics(text).map((t, i) => ({
    ...t,
    // Evidence belongs to the topic with the same title at the same place; an edited summary loses it.
    evidenceSegmentIds: cited[i]?.title === t.title ? cited[i]!.evidenceSegmentIds : [],
  }));
}

/** The newest version of a summary kind. */
export function latestSummary(summaries: Summary[], kind: string): Summary | null {
  return summaries.filter((s) => s.kind === kind).reduce<Summary | null>((best, s) => (!best || s.version > best.version ? s : best), null);
}

export function storedProvenance(settings: Record<string, unknown>): StoredProvenance | null {
  const raw = settings.minutes;
  if (!raw || typeof raw !== 'object') return null;
  const p = raw as Partial<StoredProvenance>;
  return p.analyzer === 'offline' || p.analyzer === 'llm' ? (p as StoredProvenance) : null;
}

export function writerLabel(p: MinutesProvenance | null): string {
  if (!p) return 'not generated yet';
  if (p.analyzer === 'offline') return p.fallbackReason ? `offline analyzer (LLM fallback: ${p.fallbackReason})` : 'offline analyzer';
  const who = [p.provider ?? 'LLM', p.model].filter(Boolean).join(' ');
  const failed = p.failedParts?.length ? ` (${p.failedParts.length} part(s) could not be analysed)` : '';
  return `${who}${failed}`;
}

export function minutesView(bundle: MeetingBundle): MinutesView {
  const provenance = storedProvenance(bundle.meeting.settings);
  const abstract = latestSummary(bundle.summaries, 'abstract');
  const topicsSummary = latestSummary(bundle.summaries, 'topics');
  const topics = topicsSummary ? topicsWithEvidence(topicsSummary.text, provenance) : [];
  const exists = provenance !== null || bundle.summaries.length > 0 || bundle.actionItems.length > 0 || bundle.decisions.length > 0 || bundle.notes.length > 0;
  return {
    meetingId: bundle.meeting.id,
    exists,
    provenance,
    writtenBy: provenance ? writerLabel(provenance) : exists ? 'written by hand' : writerLabel(null),
    abstract: abstract?.text ?? null,
    topics,
    decisions: bundle.decisions,
    actionItems: bundle.actionItems,
    questions: bundle.notes.filter((n) => n.kind === 'question'),
    blockers: bundle.notes.filter((n) => n.kind === 'blocker'),
  };
}
