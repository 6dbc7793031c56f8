import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Router } from 'express';
import { transcribedBy } from '../../core/format.ts';
import { minutesView } from '../../core/minutes/stored.ts';
import { parseTranscript } from '../../core/transcript/import/index.ts';
import { ACTION_STATUSES, MEETING_STATUSES, PLATFORMS, PRIORITIES, type MeetingBundle } from '../../core/types.ts';
import { scopedMeeting } from '../api/scope.ts';
import { cacheOf } from '../cache/index.ts';
import { page, pageNumber, pager, render, str, type WebDeps } from './render.ts';

const PER_PAGE = 50;
/** The AMI meeting code of a shipped sample (`ami-ES2006c-excerpt` → `ES2006c`). */
export const sampleCode = (sample: string): string => /ES\d{4}[a-d]/.exec(sample)?.[0] ?? sample;
/** README sections that explain each platform (anchors of its headings). */
const README_SECTION: Record<string, string> = { discord: 'discord', slack: 'configuration', teams: 'configuration' };
const PALETTE = 8;

/** Meetings list with its empty state, the sample import, and the meeting page. */
export function meetingPages(router: Router, deps: WebDeps): void {
  const { meetings, stores } = deps;

  router.get('/', page(deps, async (req, res) => {
    const current = pageNumber(req.query.page);
    const status = MEETING_STATUSES.find((s) => s === req.query.status);
    const platform = PLATFORMS.find((p) => p === req.query.platform);
    const title = str(req.query.title);
    const organizationId = deps.orgOf(req);
    const filter = { organizationId, ...(status ? { status } : {}), ...(platform ? { platform } : {}), ...(title ? { title } : {}) };
    const query = { ...filter, limit: PER_PAGE, offset: (current - 1) * PER_PAGE };
    const cache = cacheOf(req);
    const list = cache ? await cache.list(organizationId, query, () => meetings.listMeetings(query)) : await meetings.listMeetings(query);
    const filtered = Boolean(status || platform || title);
    const empty = list.total === 0 && !filtered;
    const readme = deps.links?.readme;
    render(req, res, deps, 'meetings', {
      title: 'Meetings', nav: 'meetings', list, empty, filtered,
      filters: { status: status ?? '', platform: platform ?? '', title: title ?? '' },
      statuses: MEETING_STATUSES, platforms: PLATFORMS,
      pager: pager('/', { status, platform, title }, current, list.total, PER_PAGE),
      adapters: deps.platforms.map((p) => ({ ...p, doc: readme ? `${readme}#${README_SECTION[p.name] ?? 'configuration'}` : null })),
    });
  }));

  // Imports the shipped CC BY excerpt and writes its minutes before redirecting, so they are there on arrival.
  router.post('/sample', page(deps, async (req, res) => {
    const organizationId = deps.orgOf(req);
    const transcript = parseTranscript(await readFile(deps.sampleTranscriptPath), { filename: basename(deps.sampleTranscriptPath) });
    const sample = basename(deps.sampleTranscriptPath).replace(/\.json$/, '');
    const { meeting } = await meetings.importTranscript({
      organizationId, transcript, platform: 'import', externalIds: { sample },
      title: `Sample: AMI ${sampleCode(sample)} design meeting (excerpt)`,
    });
    await deps.minutes.ensure(meeting.id);
    res.redirect(303, `/meetings/${meeting.id}`);
  }));

  router.get('/meetings/:id', page(deps, async (req, res) => {
    const id = String(req.params.id);
    const organizationId = deps.orgOf(req);
    const load = async () => {
      await scopedMeeting(stores, organizationId, id);
      return meetings.getBundle(id);
    };
    const cache = cacheOf(req);
    const bundle = cache ? await cache.meeting(organizationId, id, 'bundle', load) : await load();
    render(req, res, deps, 'meeting', { title: bundle.meeting.title, ...meetingModel(bundle), scripts: ['/static/vendor/chartist.js', '/static/app.js', '/static/live.js', '/static/actions.js'] });
  }));
}

/** Everything the meeting template needs, computed here so the template stays declarative. */
export function meetingModel(bundle: MeetingBundle) {
  const view = minutesView(bundle);
  const speakers = new Map<string, number>();
  for (const s of bundle.segments) if (!speakers.has(s.speaker)) speakers.set(s.speaker, speakers.size);
  for (const a of bundle.attendees) if (!speakers.has(a.displayName)) speakers.set(a.displayName, speakers.size);
  const startOf = new Map(bundle.segments.map((s) => [s.id, s.startMs]));
  const spoken = new Map<string, number>();
  for (const s of bundle.segments) spoken.set(s.speaker, (spoken.get(s.speaker) ?? 0) + Math.max(s.endMs - s.startMs, 0));
  const talkTime = bundle.attendees.map((a) => ({ name: a.displayName, ms: a.talkTimeMs || spoken.get(a.displayName) || 0, cls: speakerClass(speakers, a.displayName) }));
  for (const [name, ms] of spoken) if (!talkTime.some((t) => t.name === name)) talkTime.push({ name, ms, cls: speakerClass(speakers, name) });
  talkTime.sort((a, b) => b.ms - a.ms);
  return {
    meeting: bundle.meeting,
    view,
    sample: bundle.meeting.externalIds.sample ? sampleCode(bundle.meeting.externalIds.sample) : null,
    transcribedBy: transcribedBy(bundle.segments),
    segments: bundle.segments.map((s) => ({ id: s.id, speaker: s.speaker, startMs: s.startMs, text: s.text, cls: speakerClass(speakers, s.speaker) })),
    attendees: bundle.attendees.map((a) => ({ ...a, cls: speakerClass(speakers, a.displayName) })),
    talkTime,
    speakersJson: JSON.stringify(Object.fromEntries(speakers)),
    /** Evidence links: `[ { id, label } ]` for `#seg-<id>` anchors. */
    cite: (ids: number[]) => ids.map((id) => ({ id: Math.trunc(id), start: startOf.get(id) ?? null })),
    exports: ['md', 'json', 'vtt', 'srt'],
    statuses: ACTION_STATUSES,
    priorities: PRIORITIES,
  };
}

function speakerClass(speakers: Map<string, number>, name: string): string {
  return `spk-${(speakers.get(name) ?? 0) % PALETTE}`;
}
