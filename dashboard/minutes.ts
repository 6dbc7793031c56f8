import { clock, escapeHtml as e, transcribedBy } from '../core/format.ts';
import type { MinutesView } from '../core/minutes/stored.ts';
import type { ActionItem, MeetingBundle, MeetingNote } from '../core/types.ts';

/**
 * The minutes part of a meeting page. Every item links its evidence to the
 * transcript lines below (`#seg-<id>`), so a reader can check what was said;
 * the header says who wrote the minutes. All text is escaped.
 */
function asrLine(bundle: MeetingBundle): string {
  const by = transcribedBy(bundle.segments);
  return by ? ` · words transcribed by ${e(by)}` : '';
}

export function minutesHtml(view: MinutesView, bundle: MeetingBundle): string {
  const startOf = new Map(bundle.segments.map((s) => [s.id, s.startMs]));
  const cite = (ids: number[]) => evidence(ids, startOf);
  if (!view.exists) {
    return `<h2>Minutes</h2><p class="muted">No minutes yet. They are written when a meeting ends or a transcript is imported;
<code>npm run minutes -- summarize ${e(bundle.meeting.id)}</code> writes them now.</p>`;
  }
  const topics = view.topics.map((t) => `<li><strong>${e(t.title)}</strong>: ${e(t.text)}${cite(t.evidenceSegmentIds)}</li>`).join('');
  const generatedAt = view.provenance?.generatedAt ? ` · ${e(view.provenance.generatedAt.slice(0, 16).replace('T', ' '))} UTC` : '';
  return `<h2>Minutes</h2>
<p class="muted" id="minutes-writer">written by: ${e(view.writtenBy)}${generatedAt}${asrLine(bundle)}</p>
<h3>Summary</h3>${view.abstract ? `<p>${e(view.abstract)}</p>` : '<p class="muted">No summary.</p>'}
${topics ? `<h3>Topics</h3><ul>${topics}</ul>` : ''}
<h3>Decisions</h3>${list(view.decisions.map((d) => `${e(d.text)}${cite(d.evidenceSegmentIds)}`), 'No decisions recorded.')}
<h3>Action items</h3>${actionTable(view.actionItems, cite)}
<h3>Open questions</h3>${list(view.questions.map((n) => note(n, cite)), 'No open questions recorded.')}
<h3>Blockers</h3>${list(view.blockers.map((n) => note(n, cite)), 'No blockers recorded.')}`;
}

function evidence(ids: number[], startOf: Map<number, number>): string {
  if (ids.length === 0) return '';
  const links = ids.map((id) => {
    const start = startOf.get(id);
    return `<a href="#seg-${Math.trunc(id)}">${start === undefined ? `#${Math.trunc(id)}` : clock(start)}</a>`;
  });
  return ` <span class="evidence muted">[${links.join(', ')}]</span>`;
}

function list(items: string[], empty: string): string {
  return items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : `<p class="muted">${e(empty)}</p>`;
}

function note(n: MeetingNote, cite: (ids: number[]) => string): string {
  return `${e(n.text)}${n.resolved ? ' <span class="status">resolved</span>' : ''}${cite(n.evidenceSegmentIds)}`;
}

function actionTable(items: ActionItem[], cite: (ids: number[]) => string): string {
  if (items.length === 0) return '<p class="muted">No action items recorded.</p>';
  const rows = items
    .map((a) => `<tr><td>${e(a.description)}${cite(a.evidenceSegmentIds)}</td><td>${a.ownerName ? e(a.ownerName) : '<span class="muted">unassigned</span>'}</td>`
      + `<td>${a.dueDate ? e(a.dueDate) : '<span class="muted">—</span>'}</td><td>${e(a.priority)}</td><td><span class="status">${e(a.status.replace('_', ' '))}</span></td></tr>`)
    .join('\n');
  return `<table><tr><th>Action</th><th>Owner</th><th>Due</th><th>Priority</th><th>Status</th></tr>${rows}</table>`;
}
