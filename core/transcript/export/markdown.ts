import { transcribedBy } from '../../format.ts';
import { storedProvenance, topicsWithEvidence, writerLabel } from '../../minutes/stored.ts';
import type { ActionItem, Attendee, MeetingBundle, MeetingNote, NoteKind, Summary } from '../../types.ts';
import { type ExportResult, clock, minutesSeconds, spokenSegments } from './common.ts';
import {
  anchorId,
  capitalize,
  escapeHtmlOnly,
  escapeInline,
  evidenceLinks,
  formatDate,
  section,
} from './markdown-text.ts';

const PLATFORM_NAMES: Record<string, string> = {
  discord: 'Discord',
  slack: 'Slack',
  teams: 'Microsoft Teams',
  import: 'Imported transcript',
  web: 'Web',
  ingest: 'Ingest API',
};

export function exportMarkdown(bundle: MeetingBundle): ExportResult {
  const startOf = new Map(bundle.segments.map((s) => [s.id, s.startMs]));
  const parts = [
    header(bundle),
    attendeesSection(bundle),
    summarySection(bundle, startOf),
    section(
      'Decisions',
      bundle.decisions.map((d) => `- ${escapeInline(d.text)}${evidenceSuffix(d.evidenceSegmentIds, startOf)}`),
      'No decisions recorded.',
    ),
    section(
      'Action items',
      bundle.actionItems.map((a) => actionLine(a, startOf)),
      'No action items recorded.',
    ),
    notesSection('Open questions', 'question', bundle.notes, startOf),
    notesSection('Blockers', 'blocker', bundle.notes, startOf),
    transcriptSection(bundle),
  ];
  return { body: `${parts.join('\n\n')}\n`, contentType: 'text/markdown; charset=utf-8', extension: 'md' };
}

function header({ meeting, segments }: MeetingBundle): string {
  const title = escapeInline(meeting.title) || 'Untitled meeting';
  // Without both clock times the transcript's span is the best estimate of length.
  const durationMs =
    meeting.startedAt && meeting.endedAt
      ? meeting.endedAt.getTime() - meeting.startedAt.getTime()
      : segments.length > 0
        ? Math.max(...segments.map((s) => s.endMs)) - Math.min(...segments.map((s) => s.startMs))
        : undefined;
  const lines = [
    `- **Date:** ${formatDate(meeting.startedAt ?? meeting.scheduledAt) ?? 'not recorded'}`,
    `- **Duration:** ${durationMs === undefined ? 'not recorded' : clock(durationMs)}`,
    `- **Platform:** ${PLATFORM_NAMES[meeting.platform] ?? escapeInline(meeting.platform)}`,
  ];
  const provenance = storedProvenance(meeting.settings);
  if (provenance) lines.push(`- **Minutes by:** ${escapeInline(writerLabel(provenance))}`);
  const asr = transcribedBy(segments);
  if (asr) lines.push(`- **Words transcribed by:** ${escapeInline(asr)}`);
  return `# ${title}\n\n${lines.join('\n')}`;
}

function attendeesSection({ attendees, segments }: MeetingBundle): string {
  // Live meetings keep talkTimeMs up to date; imported ones may only have segments.
  const fromSegments = (a: Attendee) =>
    segments
      .filter((s) => s.attendeeId === a.id || (s.attendeeId === null && s.speaker === a.displayName))
      .reduce((sum, s) => sum + Math.max(0, s.endMs - s.startMs), 0);
  const lines = attendees.map((a) => {
    const talk = a.talkTimeMs > 0 ? a.talkTimeMs : fromSegments(a);
    const consent = a.consent === 'opted_out' ? ' · opted out of recording' : '';
    return `- ${escapeInline(a.displayName)} — talk time ${minutesSeconds(talk)}${consent}`;
  });
  return section('Attendees', lines, 'No attendees recorded.');
}

/** The latest version of each kind of summary, kinds in the order first seen. */
function latestSummaries(summaries: Summary[]): Summary[] {
  const latest = new Map<string, Summary>();
  for (const s of summaries) {
    const held = latest.get(s.kind);
    const newer = !held || s.version > held.version || (s.version === held.version && s.createdAt > held.createdAt);
    if (newer) latest.set(s.kind, s);
  }
  return [...latest.values()];
}

/**
 * The abstract leads; other kinds get a subheading each; the `topics` kind
 * (`### title` + text blocks written by the analyzers) becomes one subsection
 * per topic, citing its evidence. Empty versions (a regeneration that wrote
 * none) are left out.
 */
function summarySection(bundle: MeetingBundle, startOf: Map<number, number>): string {
  const latest = latestSummaries(bundle.summaries).filter((s) => s.text.trim() !== '');
  const prose = latest.filter((s) => s.kind !== 'topics');
  const topics = latest.find((s) => s.kind === 'topics');
  const blocks = prose.length <= 1
    ? prose.map((s) => escapeHtmlOnly(s.text))
    : prose.map((s) => `### ${escapeInline(capitalize(s.kind))}\n\n${escapeHtmlOnly(s.text)}`);
  if (topics) {
    const sections = topicsWithEvidence(topics.text, storedProvenance(bundle.meeting.settings));
    blocks.push(...sections.map((t) => `### ${escapeInline(t.title)}\n\n${escapeInline(t.text)}${evidenceSuffix(t.evidenceSegmentIds, startOf)}`));
  }
  return section('Summary', blocks.length ? [blocks.join('\n\n')] : [], 'No summary yet.');
}

function evidenceSuffix(ids: number[], startOf: Map<number, number>): string {
  return ids.length > 0 ? ` (evidence: ${evidenceLinks(ids, startOf)})` : '';
}

function actionLine(a: ActionItem, startOf: Map<number, number>): string {
  const box = a.status === 'completed' ? '[x]' : '[ ]';
  const text = a.status === 'cancelled' ? `~~${escapeInline(a.description)}~~ (cancelled)` : escapeInline(a.description);
  const facts = [
    `owner: ${a.ownerName ? escapeInline(a.ownerName) : 'unassigned'}`,
    ...(a.dueDate ? [`due: ${escapeInline(a.dueDate)}`] : []),
    `priority: ${a.priority}`,
    ...(a.status === 'in_progress' ? ['in progress'] : []),
    ...(a.evidenceSegmentIds.length > 0 ? [`evidence: ${evidenceLinks(a.evidenceSegmentIds, startOf)}`] : []),
  ];
  return `- ${box} ${text} — ${facts.join(' · ')}`;
}

function notesSection(title: string, kind: NoteKind, notes: MeetingNote[], startOf: Map<number, number>): string {
  const lines = notes
    .filter((n) => n.kind === kind)
    .map((n) => `- ${escapeInline(n.text)}${n.resolved ? ' (resolved)' : ''}${evidenceSuffix(n.evidenceSegmentIds, startOf)}`);
  return section(title, lines, `No ${title.toLowerCase()} recorded.`);
}

function transcriptSection({ segments }: MeetingBundle): string {
  // Blank lines between entries keep each one its own paragraph in every renderer;
  // the anchor goes last so each line still begins with its timestamp.
  const lines = spokenSegments(segments).map(
    (s) =>
      `[${clock(s.startMs)}] **${escapeInline(s.speaker)}:** ${escapeInline(s.text)} <a id="${anchorId(s.id)}"></a>\n`,
  );
  return section('Transcript', lines, 'No transcript recorded.').trimEnd();
}
