import { clock, escapeHtml } from '../core/format.ts';
import type { MinutesView } from '../core/minutes/stored.ts';
import type { Page } from '../core/store/MeetingStore.ts';
import type { SearchResult } from '../core/store/SearchStore.ts';
import type { Meeting, MeetingBundle } from '../core/types.ts';
import { minutesHtml } from './minutes.ts';

/**
 * Plain server-rendered pages: enough to read minutes and transcripts in a
 * browser until the full dashboard lands. All text is escaped.
 */
const e = escapeHtml;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · Minutes</title>
<style>
 body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d232a}
 a{color:#1f5fbf} table{border-collapse:collapse;width:100%} td,th{padding:.35rem .5rem;border-bottom:1px solid #e4e7eb;text-align:left}
 .muted{color:#68727d} mark{background:#ffe58a} .seg{display:flex;gap:.75rem} .ts{color:#68727d;font-variant-numeric:tabular-nums;min-width:4.5rem}
 .spk{font-weight:600;min-width:7rem} form{margin:1rem 0} input[type=search]{width:60%;padding:.35rem}
 .status{font-size:.85em;padding:.1rem .4rem;border-radius:.3rem;background:#eef1f4}
 .evidence{font-size:.85em} .seg:target{background:#fff6d6}
</style></head>
<body><nav><a href="/">Meetings</a> · <a href="/search">Search</a></nav>
${body}
</body></html>`;
}


const when = (m: Meeting) => (m.startedAt ?? m.scheduledAt ?? m.createdAt).toISOString().slice(0, 16).replace('T', ' ');

export function meetingsPage(page: Page<Meeting>): string {
  if (page.total === 0) {
    return layout('Meetings', `<h1>Meetings</h1>
<p>No meetings yet. Import a transcript to see minutes here:</p>
<pre>npm run minutes -- import test/fixtures/transcripts/ami-ES2002a-excerpt.json</pre>
<p class="muted">Discord, Slack and Teams turn on when their variables are set (see <code>.env.example</code>).</p>`);
  }
  const rows = page.items
    .map((m) => `<tr><td><a href="/meetings/${e(m.id)}">${e(m.title)}</a></td><td>${e(m.platform)}</td><td><span class="status">${e(m.status)}</span></td><td>${e(when(m))}</td></tr>`)
    .join('\n');
  return layout('Meetings', `<h1>Meetings</h1>
<form action="/search"><input type="search" name="q" placeholder="Search all transcripts"> <button>Search</button></form>
<table><tr><th>Title</th><th>Platform</th><th>Status</th><th>When (UTC)</th></tr>${rows}</table>
<p class="muted">${page.total} meeting(s)</p>`);
}

export function meetingPage(b: MeetingBundle, minutes: MinutesView): string {
  const m = b.meeting;
  const attendees = b.attendees.map((a) => `<li>${e(a.displayName)} <span class="muted">${clock(a.talkTimeMs)}${a.consent === 'opted_out' ? ' · opted out' : ''}</span></li>`).join('');
  const lines = b.segments
    .map((s) => `<div class="seg" id="seg-${s.id}"><span class="ts">${clock(s.startMs)}</span><span class="spk">${e(s.speaker)}</span><span>${e(s.text)}</span></div>`)
    .join('\n');
  const exports = ['md', 'json', 'vtt', 'srt'].map((f) => `<a href="/api/meetings/${e(m.id)}/export?format=${f}">${f}</a>`).join(' · ');
  return layout(m.title, `<h1>${e(m.title)}</h1>
<p class="muted">${e(m.platform)} · <span class="status">${e(m.status)}</span> · ${e(when(m))} UTC · export: ${exports}</p>
<form action="/search"><input type="hidden" name="meeting" value="${e(m.id)}"><input type="search" name="q" placeholder="Search this meeting"> <button>Search</button></form>
<h2>Attendees</h2><ul>${attendees || '<li class="muted">none yet</li>'}</ul>
${minutesHtml(minutes, b)}
<h2>Transcript</h2>${lines || '<p class="muted">No transcript yet.</p>'}`);
}

export function searchPage(q: string, result: SearchResult | null): string {
  const form = `<form action="/search"><input type="search" name="q" value="${e(q)}" placeholder='budget -marketing, "remote control"'> <button>Search</button></form>`;
  if (!result) return layout('Search', `<h1>Search</h1>${form}`);
  const hits = result.hits
    .map((h) => `<div class="seg"><span class="ts"><a href="/meetings/${e(h.meeting.id)}#seg-${h.segment.id}">${clock(h.segment.startMs)}</a></span><span class="spk">${e(h.segment.speaker)}</span><span>${h.snippet}<br><span class="muted">${e(h.meeting.title)}</span></span></div>`)
    .join('\n');
  return layout(`Search: ${q}`, `<h1>Search</h1>${form}<p class="muted">${result.total}${result.capped ? '+' : ''} match(es)</p>${hits}`);
}
