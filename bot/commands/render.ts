import type { Answer } from '../../core/meetings/ask.ts';
import type { GeneratedMinutes } from '../../core/meetings/MinutesService.ts';
import { clock, transcribedBy } from '../../core/format.ts';
import { writerLabel, type MinutesView } from '../../core/minutes/stored.ts';
import type { Summary } from '../../core/ai/translate.ts';
import type { ActionItem, MeetingBundle, MeetingNote, Segment } from '../../core/types.ts';

/**
 * Plain-text renderings for the terminal. Every item is followed by the
 * transcript lines it cites, quoted with their `[mm:ss]` time, so the reader
 * can judge the minutes without opening the transcript.
 */
const QUOTE_CHARS = 160;

const shorten = (text: string, max: number) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
};

function evidenceLines(ids: number[], byId: Map<number, Segment>, indent: string): string[] {
  return ids.flatMap((id) => {
    const s = byId.get(id);
    return s ? [`${indent}[${clock(s.startMs)}] ${s.speaker}: "${shorten(s.text, QUOTE_CHARS)}"`] : [];
  });
}

function numbered<T>(title: string, items: T[], line: (item: T) => string[], empty: string): string[] {
  if (items.length === 0) return [title, `  ${empty}`, ''];
  return [title, ...items.flatMap((item, i) => {
    const [first = '', ...rest] = line(item);
    return [`  ${i + 1}. ${first}`, ...rest];
  }), ''];
}

export function renderMinutes(view: MinutesView, bundle: MeetingBundle, publicUrl: string): string {
  const byId = new Map(bundle.segments.map((s) => [s.id, s]));
  const cite = (ids: number[]) => evidenceLines(ids, byId, '     ');
  const action = (a: ActionItem) => [
    a.description,
    `     owner: ${a.ownerName ?? 'unassigned'} · due: ${a.dueDate ?? '—'} · priority: ${a.priority} · status: ${a.status.replace('_', ' ')}`,
    ...cite(a.evidenceSegmentIds),
  ];
  const note = (n: MeetingNote) => [`${n.text}${n.resolved ? ' (resolved)' : ''}`, ...cite(n.evidenceSegmentIds)];
  const generated = view.provenance?.generatedAt ? ` · generated ${view.provenance.generatedAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  const out = [
    `Minutes: ${bundle.meeting.title}`,
    `written by: ${view.writtenBy}${generated}`,
    ...(transcribedBy(bundle.segments) ? [`words transcribed by: ${transcribedBy(bundle.segments)}`] : []),
    '',
    'Summary',
    `  ${view.abstract?.trim() || 'No summary.'}`,
    '',
  ];
  if (view.topics.length) out.push(...numbered('Topics', view.topics, (t) => [`${t.title}: ${t.text}`, ...cite(t.evidenceSegmentIds)], ''));
  out.push(
    ...numbered('Decisions', view.decisions, (d) => [d.text, ...cite(d.evidenceSegmentIds)], 'none recorded'),
    ...numbered('Action items', view.actionItems, action, 'none recorded'),
    ...numbered('Open questions', view.questions, note, 'none recorded'),
    ...numbered('Blockers', view.blockers, note, 'none recorded'),
    `view: ${publicUrl}/meetings/${bundle.meeting.id}`,
  );
  return out.join('\n');
}

/** The few lines `import` prints once the minutes are written. */
export function renderImportSummary(meetingId: string, result: GeneratedMinutes | null): string {
  if (!result) return `minutes: not written (see the log above); try \`npm run minutes -- summarize ${meetingId}\``;
  const m = result.minutes;
  const counts = `${m.decisions.length} decision(s), ${m.actionItems.length} action item(s), ${m.questions.length} question(s), ${m.blockers.length} blocker(s)`;
  const abstract = m.summary.abstract.trim() ? shorten(m.summary.abstract, 300) : 'no summary';
  return [`minutes: ${counts} · by ${writerLabel(m.provenance)}`, `  ${abstract}`, `  full minutes: npm run minutes -- summarize ${meetingId}`].join('\n');
}

export function renderAnswer(a: Answer, publicUrl: string): string {
  const out = [a.answer, ''];
  if (a.citations.length) {
    out.push(a.mode === 'llm' ? 'Cited lines:' : 'Best-matching lines:');
    a.citations.forEach((c, i) => {
      out.push(`  [${i + 1}] ${c.speaker} at ${clock(c.startMs)} in "${c.meetingTitle}": ${shorten(c.text, 240)}`);
      out.push(`      ${publicUrl}/meetings/${c.meetingId}#seg-${c.segmentId}`);
    });
    out.push('');
  }
  out.push(a.mode === 'llm' ? `answered by ${[a.provider, a.model].filter(Boolean).join(' ')}` : `offline: passages only${a.reason ? ` (${a.reason})` : ''}`);
  return out.join('\n');
}

export function renderTranslation(title: string, language: string, s: Summary): string {
  const sections = s.sections.map((t) => `  • ${t.title}: ${t.text}`);
  return [`Minutes: ${title} (${language})`, '', s.abstract || '—', ...(sections.length ? ['', ...sections] : [])].join('\n');
}
