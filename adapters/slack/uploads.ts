import { transcribeLong } from '../../core/asr/chunk.ts';
import { decodeAudioFile, type AudioDecoder } from '../../core/asr/files.ts';
import type { Transcriber } from '../../core/asr/types.ts';
import { isMinutesError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { MeetingService } from '../../core/meetings/MeetingService.ts';
import type { MinutesService } from '../../core/meetings/MinutesService.ts';
import type { MinutesView } from '../../core/minutes/stored.ts';
import { formatFromFilename, parseTranscript } from '../../core/transcript/import/index.ts';
import type { MeetingBundle, ParsedTranscript, SegmentInput, TranscriptFormat } from '../../core/types.ts';
import { LIMITS, NO_PARSE, link, mrkdwn, truncate } from './escape.ts';
import type { Links } from './types.ts';

/**
 * A recording or transcript shared with the app becomes a meeting, and its
 * minutes are posted in the file's thread. Transcripts (.vtt .srt .txt .json)
 * go through the core importer; recordings through the injected
 * `transcribeFile`. Whatever goes wrong is answered in the thread in words
 * (the importer's "line 8: …" included) and stores nothing. A file is
 * imported once: Slack sends `file_shared` and a `message` for the same
 * share, and retries events.
 */

export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  shares?: Partial<Record<'public' | 'private', Record<string, { ts: string; thread_ts?: string }[]>>>;
}

/** The Web API calls this needs (Bolt's `client` fits). */
export interface FilesClient {
  token?: string | undefined;
  files: { info(args: { file: string }): Promise<{ file?: unknown }> };
  chat: { postMessage(args: Record<string, unknown> & { channel: string; text: string }): Promise<{ ts?: string }> };
}

export interface SlackMessageOut { text: string; blocks?: unknown[] }

export interface TranscribedFile {
  segments: SegmentInput[];
  language?: string;
}

export interface UploadDeps {
  meetings: Pick<MeetingService, 'importTranscript' | 'listMeetings'>;
  minutes: Pick<MinutesService, 'ensure'>;
  organizationFor: (team: { id: string; name: string }) => Promise<string>;
  importMaxBytes: number;
  audioMaxBytes: number;
  /** Speech-to-text of a recording; without it recordings are answered with "not configured". */
  transcribeFile?: (bytes: Buffer, filename: string) => Promise<TranscribedFile>;
  /** Minutes as messages, all posted in the file's thread (the adapter's Block Kit renderer); a short mrkdwn summary by default. */
  renderMinutes?: (bundle: MeetingBundle, view: MinutesView) => SlackMessageOut[] | Promise<SlackMessageOut[]>;
  /** Waits for minutes the import already started (AutoMinutes.settled), so they are not written twice. */
  minutesSettled?: (meetingId: string) => Promise<unknown>;
  links: Links;
  logger: Pick<Logger, 'info' | 'warn'>;
  fetch?: typeof fetch;
}

export interface FileSharedArgs {
  client: FilesClient;
  teamId: string;
  fileId: string;
  channelId: string;
  userId: string;
  threadTs?: string | undefined;
  /** Bot token for the download when `client.token` is not set. */
  token?: string;
}

export type UploadOutcome =
  | { status: 'imported'; meetingId: string; segmentCount: number }
  | { status: 'duplicate'; meetingId: string | null }
  | { status: 'ignored'; reason: string }
  | { status: 'rejected'; code: string; message: string };

export const TRANSCRIPT_EXTENSIONS = ['vtt', 'srt', 'txt', 'json'];
export const AUDIO_EXTENSIONS = ['wav', 'mp3', 'm4a', 'ogg', 'oga', 'opus', 'webm', 'flac', 'mp4', 'mov', 'aac', 'mkv'];
const TRANSCRIPT_FILETYPES: Record<string, TranscriptFormat> = { vtt: 'vtt', srt: 'srt', text: 'text', json: 'json' };

export function classifyFile(file: Pick<SlackFile, 'name' | 'mimetype' | 'filetype'>): 'transcript' | 'audio' | null {
  const ext = /\.([^./\\]+)$/.exec(file.name ?? '')?.[1]?.toLowerCase();
  if (ext && TRANSCRIPT_EXTENSIONS.includes(ext)) return 'transcript';
  if (ext && AUDIO_EXTENSIONS.includes(ext)) return 'audio';
  if (/^(audio|video)\//.test(file.mimetype ?? '')) return 'audio';
  if (file.filetype && TRANSCRIPT_FILETYPES[file.filetype]) return 'transcript';
  return null;
}

/** The message to thread under: the share's thread, else the share message itself. */
export function shareThreadTs(file: SlackFile, channelId: string): string | undefined {
  const share = file.shares?.public?.[channelId]?.[0] ?? file.shares?.private?.[channelId]?.[0];
  return share ? share.thread_ts ?? share.ts : undefined;
}

const mb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB` : `${Math.ceil(bytes / 1024)} KB`);

class UploadProblem extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

const inFlight = new Map<string, Promise<UploadOutcome>>();

export function handleFileShared(args: FileSharedArgs, deps: UploadDeps): Promise<UploadOutcome> {
  const key = `${args.teamId}:${args.fileId}`;
  const running = inFlight.get(key);
  if (running) return running.then((o) => ({ status: 'duplicate', meetingId: o.status === 'imported' ? o.meetingId : null }));
  const run = importSharedFile(args, deps).finally(() => inFlight.delete(key));
  inFlight.set(key, run);
  return run;
}

async function importSharedFile(args: FileSharedArgs, deps: UploadDeps): Promise<UploadOutcome> {
  const { client, teamId, fileId, channelId } = args;
  const log = { teamId, fileId, channelId };
  let file: SlackFile;
  try {
    file = (await client.files.info({ file: fileId })).file as SlackFile;
    if (!file?.id) throw new Error('files.info returned no file');
  } catch (err) {
    deps.logger.warn({ err, ...log }, 'slack upload: files.info failed');
    return { status: 'rejected', code: 'PLATFORM_UNAVAILABLE', message: 'files.info failed' };
  }
  const name = file.name ?? file.title ?? fileId;
  const threadTs = args.threadTs ?? shareThreadTs(file, channelId);
  const reply = (text: string, extra: Record<string, unknown> = {}) =>
    client.chat.postMessage({ channel: channelId, text, ...(threadTs ? { thread_ts: threadTs } : {}), ...NO_PARSE, ...extra })
      .catch((err: unknown) => { deps.logger.warn({ err, ...log }, 'slack upload: reply failed'); return {}; });

  const kind = classifyFile(file);
  if (!kind) {
    // In a channel every shared file reaches the app; only a direct message is surely meant for it.
    if (channelId.startsWith('D')) {
      await reply(`:page_facing_up: I turn recordings (${AUDIO_EXTENSIONS.slice(0, 6).join(', ')}, …) and transcripts (${TRANSCRIPT_EXTENSIONS.join(', ')}) into minutes; *${mrkdwn(name)}* is neither.`);
    }
    return { status: 'ignored', reason: 'not a recording or transcript' };
  }

  try {
    const organizationId = await deps.organizationFor({ id: teamId, name: teamId });
    const existing = await deps.meetings.listMeetings({ organizationId, externalIds: { slackTeamId: teamId, slackFileId: fileId }, limit: 1 });
    if (existing.items[0]) return { status: 'duplicate', meetingId: existing.items[0].id };

    const limit = kind === 'audio' ? deps.audioMaxBytes : deps.importMaxBytes;
    const limitName = kind === 'audio' ? 'AUDIO_MAX_BYTES' : 'IMPORT_MAX_BYTES';
    if (file.size !== undefined && file.size > limit) {
      throw new UploadProblem('IMPORT_TOO_LARGE', `it is ${mb(file.size)}; the limit for ${kind === 'audio' ? 'recordings' : 'transcripts'} here is ${mb(limit)} (${limitName}).`);
    }
    if (kind === 'audio' && !deps.transcribeFile) {
      throw new UploadProblem('ASR_UNAVAILABLE', 'recordings cannot be transcribed here: no speech-to-text engine is configured. Share a transcript (.vtt, .srt, .txt, .json) instead.');
    }
    if (kind === 'audio') await reply(`:hourglass_flowing_sand: Transcribing *${mrkdwn(name)}*… the minutes will follow in this thread.`);

    const bytes = await download(file, args.token ?? client.token, limit, limitName, deps.fetch ?? fetch);
    let transcript: ParsedTranscript;
    if (kind === 'transcript') {
      const format = formatFromFilename(name) ?? TRANSCRIPT_FILETYPES[file.filetype ?? ''];
      transcript = parseTranscript(bytes, { filename: name, maxBytes: deps.importMaxBytes, ...(format ? { format } : {}) });
    } else {
      const heard = await deps.transcribeFile!(bytes, name);
      if (heard.segments.length === 0) throw new UploadProblem('IMPORT_EMPTY', 'no speech was heard in it.');
      transcript = { format: 'text', segments: heard.segments, ...(heard.language ? { language: heard.language } : {}) };
    }
    const imported = await deps.meetings.importTranscript({
      organizationId,
      transcript,
      title: (file.title && file.title !== file.name ? file.title : name.replace(/\.[^.]+$/, '')) || name,
      platform: 'slack',
      externalIds: { slackTeamId: teamId, slackFileId: fileId, slackChannelId: channelId, ...(threadTs ? { slackThreadTs: threadTs } : {}) },
    });
    deps.logger.info({ ...log, meetingId: imported.meeting.id, segments: imported.segmentCount, kind }, 'slack upload imported');
    await deps.minutesSettled?.(imported.meeting.id).catch(() => undefined);
    const { bundle, view } = await deps.minutes.ensure(imported.meeting.id);
    const messages = deps.renderMinutes ? await deps.renderMinutes(bundle, view) : [defaultMinutesMessage(bundle, view, deps.links)];
    for (const message of messages) await reply(message.text, message.blocks ? { blocks: message.blocks } : {});
    return { status: 'imported', meetingId: imported.meeting.id, segmentCount: imported.segmentCount };
  } catch (err) {
    const problem = describeProblem(err);
    if (!problem) deps.logger.warn({ err, ...log }, 'slack upload failed');
    else deps.logger.info({ ...log, code: problem.code }, 'slack upload rejected');
    const message = problem?.message ?? 'something went wrong on our side; please try again later.';
    await reply(`:warning: I could not turn *${mrkdwn(name)}* into minutes: ${truncate(mrkdwn(message), 1500)}`);
    return { status: 'rejected', code: problem?.code ?? 'INTERNAL', message };
  }
}

function describeProblem(err: unknown): { code: string; message: string } | null {
  if (err instanceof UploadProblem) return { code: err.code, message: err.message };
  if (isMinutesError(err)) {
    const line = typeof err.details.line === 'number' && !/\bline \d+/.test(err.message) ? `line ${err.details.line}: ` : '';
    return { code: err.code, message: `${line}${err.message}` };
  }
  return null;
}

/** `url_private` with the bot token, refusing more than `limit` bytes as they arrive. */
async function download(file: SlackFile, token: string | undefined, limit: number, limitName: string, fetchImpl: typeof fetch): Promise<Buffer> {
  const url = file.url_private_download ?? file.url_private;
  if (!url || !token) throw new UploadProblem('PLATFORM_UNAVAILABLE', 'Slack gave no way to download it.');
  const res = await fetchImpl(url, { headers: { Authorization: `Bearer ${token}` }, redirect: 'manual' });
  // Slack answers a download it will not serve with a redirect to its sign-in page, not an error.
  if (res.status !== 200 || /text\/html/i.test(res.headers.get('content-type') ?? '') && file.mimetype !== 'text/html') {
    await res.body?.cancel().catch(() => undefined);
    throw new UploadProblem('PLATFORM_PERMISSION_MISSING', 'Slack would not let me download it (the app needs the files:read scope and access to this channel).');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > limit) {
      await res.body?.cancel().catch(() => undefined);
      throw new UploadProblem('IMPORT_TOO_LARGE', `it is more than ${mb(limit)}, the limit here (${limitName}).`);
    }
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/** A short mrkdwn summary: title, abstract, decisions, action items, open questions. */
export function defaultMinutesMessage(bundle: MeetingBundle, view: MinutesView, links: Links): SlackMessageOut {
  const m = bundle.meeting;
  const list = (title: string, lines: string[]) => (lines.length ? [`*${title}*`, ...lines.slice(0, 8).map((l) => `• ${l}`), ...(lines.length > 8 ? [`_…and ${lines.length - 8} more_`] : [])] : []);
  const text = [
    `:memo: *Minutes: ${mrkdwn(m.title)}* · ${link(links.meeting(m.id), 'open in dashboard')}`,
    view.abstract ? truncate(mrkdwn(view.abstract), 800) : '_No summary: nothing was transcribed._',
    ...list('Decisions', view.decisions.map((d) => truncate(mrkdwn(d.text), 300))),
    ...list('Action items', view.actionItems.map((a) => `${truncate(mrkdwn(a.description), 300)} — ${a.ownerName ? mrkdwn(a.ownerName) : 'unassigned'}${a.dueDate ? ` · due ${a.dueDate}` : ''}`)),
    ...list('Open questions', view.questions.map((q) => truncate(mrkdwn(q.text), 300))),
    `_${bundle.segments.length} transcript lines from ${bundle.attendees.length} speaker(s) · minutes by ${mrkdwn(view.writtenBy)}_`,
  ].join('\n');
  return { text: truncate(text, LIMITS.fallbackText) };
}

/** A `transcribeFile` from a speech-to-text engine and audio decoders (bot/ passes `availableDecoders()`). */
export function transcribeWith(engine: Transcriber, decoders: readonly AudioDecoder[], options: { language?: string } = {}): UploadDeps['transcribeFile'] {
  return async (bytes, filename) => {
    const pcm = await decodeAudioFile(bytes, { filename, decoders });
    const result = await transcribeLong(engine, pcm, options.language ? { language: options.language } : {});
    return {
      segments: result.segments.filter((s) => s.text.trim()).map((s) => ({
        speaker: s.speaker ? `Speaker ${s.speaker}` : 'Speaker 1',
        startMs: s.startMs, endMs: Math.max(s.endMs, s.startMs), text: s.text.trim(), confidence: s.confidence, source: `asr:${result.engine}`.slice(0, 100),
      })),
      ...(result.language ? { language: result.language } : {}),
    };
  };
}
