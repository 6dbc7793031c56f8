import { GraphError, type Client as GraphClient } from '@microsoft/teams.graph';
import type { Logger } from '../../core/logger.ts';
import type { TranscriptRetry } from './types.ts';

export const DEFAULT_RETRY: TranscriptRetry = { initialDelayMs: 30_000, factor: 2, maxDelayMs: 5 * 60_000, attempts: 10 };

export interface TranscriptFile {
  id: string;
  createdDateTime: string | null;
  vtt: string;
}

interface TranscriptResource { id: string; createdDateTime?: string | null }

/** Not there yet (404, empty list), or worth another try (throttled, server side). Anything else (403: no access policy) is final. */
function retryable(err: unknown): boolean {
  if (err instanceof NotReady) return true;
  if (err instanceof GraphError) return err.statusCode === 404 || err.statusCode === 429 || err.statusCode >= 500;
  return err instanceof TypeError; // fetch/network failure
}

class NotReady extends Error {}

/**
 * A meeting's transcripts from Microsoft Graph (app-only: OnlineMeetingTranscript.Read.All
 * or the RSC permission OnlineMeetingTranscript.Read.Chat, plus an application access
 * policy for the organizer): list them, then download each as WebVTT with `<v Speaker>` tags.
 * Teams publishes a transcript some minutes after the meeting ends, so the list is empty
 * or the content 404s for a while: `fetchWhenReady` polls with exponential backoff.
 */
export class TranscriptSource {
  constructor(private readonly graph: GraphClient, private readonly log: Logger) {}

  async list(organizerId: string, onlineMeetingId: string): Promise<TranscriptResource[]> {
    const res = await this.graph.call(() => ({
      method: 'get' as const,
      path: '/users/{userId}/onlineMeetings/{meetingId}/transcripts',
      paramDefs: { path: ['userId', 'meetingId'] },
      params: { userId: encodeURIComponent(organizerId), meetingId: encodeURIComponent(onlineMeetingId) },
    })) as { value?: TranscriptResource[] };
    return res.value ?? [];
  }

  async content(organizerId: string, onlineMeetingId: string, transcriptId: string): Promise<string> {
    const res = await this.graph.call(() => ({
      method: 'get' as const,
      path: '/users/{userId}/onlineMeetings/{meetingId}/transcripts/{transcriptId}/content',
      paramDefs: { path: ['userId', 'meetingId', 'transcriptId'], query: ['$format'] },
      params: { userId: encodeURIComponent(organizerId), meetingId: encodeURIComponent(onlineMeetingId), transcriptId: encodeURIComponent(transcriptId), $format: 'text/vtt' },
    }), { requestConfig: { responseType: 'text', headers: { Accept: 'text/vtt' } } });
    return typeof res === 'string' ? res : String(res);
  }

  /** The online meeting's Graph id from its join URL (when the Bot Connector did not give msGraphResourceId). */
  async meetingIdByJoinUrl(organizerId: string, joinUrl: string): Promise<string | null> {
    const res = await this.graph.call(() => ({
      method: 'get' as const,
      path: '/users/{userId}/onlineMeetings',
      paramDefs: { path: ['userId'], query: ['$filter'] },
      params: { userId: encodeURIComponent(organizerId), $filter: `JoinWebUrl eq '${joinUrl.replace(/'/g, "''")}'` },
    })) as { value?: { id: string }[] };
    return res.value?.[0]?.id ?? null;
  }

  /** Every transcript of the meeting, once at least one is listed and downloadable; null when it never was within the retry budget. */
  async fetchWhenReady(organizerId: string, onlineMeetingId: string, retry: TranscriptRetry, signal: AbortSignal, onAttempt?: (n: number, err: unknown) => void): Promise<TranscriptFile[] | null> {
    let delay = retry.initialDelayMs;
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (signal.aborted) return null;
      try {
        const listed = await this.list(organizerId, onlineMeetingId);
        if (!listed.length) throw new NotReady('no transcript listed yet');
        const files: TranscriptFile[] = [];
        for (const t of [...listed].sort((a, b) => String(a.createdDateTime ?? '').localeCompare(String(b.createdDateTime ?? '')))) {
          files.push({ id: t.id, createdDateTime: t.createdDateTime ?? null, vtt: await this.content(organizerId, onlineMeetingId, t.id) });
        }
        return files;
      } catch (err) {
        onAttempt?.(attempt, err);
        if (!retryable(err)) throw err;
        if (attempt === retry.attempts) break;
        this.log.debug({ attempt, delayMs: delay, reason: (err as Error).message }, 'teams transcript not available yet; retrying');
        await sleep(delay, signal);
        delay = Math.min(retry.maxDelayMs, Math.round(delay * retry.factor));
      }
    }
    return null;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
