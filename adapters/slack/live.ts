import type { EventBus, EventOf } from '../../core/bus/EventBus.ts';
import { clock } from '../../core/format.ts';
import type { Logger } from '../../core/logger.ts';
import type { Insight } from '../../core/minutes/types.ts';
import type { Meeting, Segment } from '../../core/types.ts';
import { LIMITS, NO_PARSE, link, mrkdwn, truncate } from './escape.ts';
import type { ChannelsFor } from './subscriptions.ts';
import type { Links } from './types.ts';

/**
 * Live insights in Slack for meetings held anywhere (Discord, Teams, a room):
 * when a meeting of an organization starts, each channel subscribed to that
 * organization gets "Notes are being taken: <title> · <dashboard>", and the
 * message's thread receives every decision, action item, question and
 * blocker the live copilot emits, with the line it cites, then a final
 * "ended" reply. Posts to one thread go out one at a time, in event order.
 * Nothing here throws into the event bus: Slack failures are logged.
 */

/** The one Web API call this needs (a Bolt/WebClient `client` fits). */
export interface ChatClient {
  chat: { postMessage(args: Record<string, unknown> & { channel: string; text: string }): Promise<{ ok?: boolean; ts?: string; error?: string }> };
}

export interface FollowLiveOptions {
  bus: Pick<EventBus, 'subscribe'>;
  /** The bot client of a workspace, null when the app is no longer installed there. */
  clientFor: (teamId: string) => Promise<ChatClient | null> | ChatClient | null;
  channelsFor: ChannelsFor;
  links: Links;
  logger: Pick<Logger, 'warn' | 'debug'>;
  /** Which meetings to follow (default: all of a subscribed organization). */
  follow?: (meeting: Meeting) => boolean;
}

export interface LiveFollower {
  /** Resolves when every queued post has been attempted (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

type Evidence = EventOf<'insight.added'>['evidence'];

interface LiveThread {
  teamId: string;
  channelId: string;
  client: ChatClient | null;
  ts: string | null;
  /** Set once the root post failed: replies are skipped. */
  dead: boolean;
  queue: Promise<void>;
}

interface FollowedMeeting {
  meeting: Meeting;
  threads: Promise<LiveThread[]>;
  counts: Record<Insight['kind'], number>;
  /** Insight keys already posted: the copilot may see one insight again in a later window. */
  seen: Set<string>;
}

const KIND_LABEL: Record<Insight['kind'], string> = {
  decision: ':pushpin: *Decision*', action_item: ':white_check_mark: *Action item*', question: ':question: *Open question*', blocker: ':warning: *Blocker*',
};

const PLATFORM_LABEL: Partial<Record<Meeting['platform'], string>> = { discord: 'Discord', teams: 'Teams', web: 'the web', ingest: 'a room' };

export function startedText(meeting: Meeting, links: Links): string {
  const where = PLATFORM_LABEL[meeting.platform];
  return truncate(`:memo: Notes are being taken: *${mrkdwn(meeting.title)}*${where ? ` (on ${where})` : ''} · ${link(links.meeting(meeting.id), 'live dashboard')}\n`
    + '_Decisions, action items and open questions appear in this thread as they are said._', LIMITS.fallbackText);
}

export function citedLines(meetingId: string, evidence: Evidence, links: Links): string[] {
  return evidence.slice(0, 2).map((s: Pick<Segment, 'id' | 'speaker' | 'startMs' | 'text'>) =>
    `> ${link(links.meeting(meetingId, s.id), clock(s.startMs))} *${mrkdwn(s.speaker)}*: ${truncate(mrkdwn(s.text), 400)}`);
}

export function insightText(meetingId: string, insight: Insight, evidence: Evidence, links: Links): string {
  const lines = [`${KIND_LABEL[insight.kind]}: ${truncate(mrkdwn(insight.text), 800)}`];
  if (insight.kind === 'action_item') {
    const owner = insight.ownerName ? mrkdwn(insight.ownerName) : 'no owner yet';
    lines.push(`Owner: ${owner}${insight.dueDate ? ` · due ${mrkdwn(insight.dueDate)}` : ''}`);
  }
  lines.push(...citedLines(meetingId, evidence, links));
  return truncate(lines.join('\n'), LIMITS.fallbackText);
}

export function endedText(meeting: Meeting, counts: Record<Insight['kind'], number>, links: Links): string {
  const noted = ([['decision', 'decision'], ['action_item', 'action item'], ['question', 'open question'], ['blocker', 'blocker']] as const)
    .filter(([k]) => counts[k] > 0).map(([k, label]) => `${counts[k]} ${label}${counts[k] === 1 ? '' : 's'}`);
  const length = meeting.startedAt && meeting.endedAt ? ` after ${clock(meeting.endedAt.getTime() - meeting.startedAt.getTime())}` : '';
  return `:stop_button: The meeting ended${length}.${noted.length ? ` Noted live: ${noted.join(', ')}.` : ''} `
    + `The minutes are being written: ${link(links.meeting(meeting.id), 'open them on the dashboard')}.`;
}

export function followLiveMeetings(options: FollowLiveOptions): LiveFollower {
  const { bus, links, logger } = options;
  const followed = new Map<string, FollowedMeeting>();
  const pending = new Set<Promise<unknown>>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };

  const post = async (thread: LiveThread, text: string, meetingId: string, what: string): Promise<string | null> => {
    if (!thread.client) return null;
    try {
      const res = await thread.client.chat.postMessage({
        channel: thread.channelId, text, ...(thread.ts ? { thread_ts: thread.ts } : {}), ...NO_PARSE,
      });
      return res.ts ?? null;
    } catch (err) {
      logger.warn({ err, meetingId, teamId: thread.teamId, channelId: thread.channelId, what }, 'slack live post failed');
      return null;
    }
  };

  /** Queues a post on a thread, after everything queued before it. */
  const enqueue = (thread: LiveThread, work: () => Promise<void>) => {
    thread.queue = track(thread.queue.then(work).catch((err: unknown) => logger.warn({ err }, 'slack live post failed')));
  };

  const onStarted = (meeting: Meeting) => {
    if (followed.has(meeting.id) || (options.follow && !options.follow(meeting))) return;
    const entry: FollowedMeeting = { meeting, counts: { decision: 0, action_item: 0, question: 0, blocker: 0 }, seen: new Set(), threads: Promise.resolve([]) };
    followed.set(meeting.id, entry);
    entry.threads = track((async () => {
      let refs: Awaited<ReturnType<ChannelsFor>> = [];
      try {
        refs = await options.channelsFor(meeting.organizationId);
      } catch (err) {
        logger.warn({ err, meetingId: meeting.id }, 'slack live: cannot read subscriptions');
      }
      const threads: LiveThread[] = [];
      for (const ref of refs) {
        let client: ChatClient | null = null;
        try {
          client = await options.clientFor(ref.teamId);
        } catch (err) {
          logger.warn({ err, meetingId: meeting.id, teamId: ref.teamId }, 'slack live: no client for workspace');
        }
        const thread: LiveThread = { ...ref, client, ts: null, dead: false, queue: Promise.resolve() };
        enqueue(thread, async () => {
          thread.ts = await post(thread, startedText(meeting, links), meeting.id, 'started');
          thread.dead = thread.ts === null;
        });
        threads.push(thread);
      }
      if (threads.length === 0) followed.delete(meeting.id);
      return threads;
    })());
  };

  const reply = (meetingId: string, text: (entry: FollowedMeeting) => string, what: string, after?: (entry: FollowedMeeting) => void) => {
    const entry = followed.get(meetingId);
    if (!entry) return;
    track(entry.threads.then((threads) => {
      const body = text(entry);
      for (const thread of threads) {
        enqueue(thread, async () => {
          if (!thread.dead) await post(thread, body, meetingId, what);
        });
      }
      after?.(entry);
    }));
  };

  const offs = [
    bus.subscribe('meeting.started', (e) => onStarted(e.meeting)),
    bus.subscribe('insight.added', (e) => {
      const entry = followed.get(e.meetingId);
      if (!entry || entry.seen.has(e.insight.key)) return;
      entry.seen.add(e.insight.key);
      entry.counts[e.insight.kind]++;
      reply(e.meetingId, () => insightText(e.meetingId, e.insight, e.evidence, links), `insight:${e.insight.kind}`);
    }),
    bus.subscribe('meeting.ended', (e) => {
      const entry = followed.get(e.meeting.id);
      if (entry) entry.meeting = e.meeting;
      reply(e.meeting.id, (en) => endedText(en.meeting, en.counts, links), 'ended', () => followed.delete(e.meeting.id));
    }),
    bus.subscribe('meeting.cancelled', (e) => {
      reply(e.meeting.id, () => ':stop_button: The meeting was cancelled; no minutes will be written.', 'cancelled', () => followed.delete(e.meeting.id));
    }),
  ];

  return {
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    stop() {
      for (const off of offs) off();
      followed.clear();
    },
  };
}
