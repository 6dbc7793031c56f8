import { MinutesError } from '../errors.ts';
import { clock } from '../format.ts';
import type { SearchHit, Stores } from '../store/index.ts';

export interface AskQuery {
  question: string;
  organizationId: string;
  /** One meeting, or the organization's whole history when absent. */
  meetingId?: string;
  limit?: number;
}

export interface Citation {
  segmentId: number;
  meetingId: string;
  meetingTitle: string;
  speaker: string;
  startMs: number;
  text: string;
}

export interface Answer {
  question: string;
  answer: string;
  citations: Citation[];
  /** `offline`: best-matching passages, no generated prose. */
  mode: 'offline' | 'llm';
  provider?: string;
  model?: string;
  /** Why an LLM did not write the answer, when one is configured. */
  reason?: string;
}

// Words that carry no meaning for retrieval; websearch_to_tsquery drops
// English stopwords itself, these are the question words it keeps.
const QUESTION_WORDS = new Set(['what', 'who', 'whom', 'when', 'where', 'why', 'how', 'which', 'did', 'does', 'do', 'was', 'were', 'is', 'are', 'said', 'say', 'says', 'tell', 'about', 'anyone', 'someone', 'we', 'they']);

/** Turns a question into an OR query of its content words, so passages need not contain every word. */
export function retrievalQuery(question: string): string {
  const words = question.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? [];
  const content = [...new Set(words.filter((w) => w.length > 2 && !QUESTION_WORDS.has(w)))];
  return content.slice(0, 12).join(' or ');
}

/** Retrieves the passages that best match a question, through the store's full-text search. */
export async function retrievePassages(stores: Pick<Stores, 'search'>, query: AskQuery): Promise<SearchHit[]> {
  const question = query.question.trim();
  if (!question) throw new MinutesError('SEARCH_INVALID', 'The question is empty');
  const q = retrievalQuery(question);
  if (!q) return [];
  const result = await stores.search.search({ q, organizationId: query.organizationId, meetingId: query.meetingId, limit: query.limit ?? 5 });
  return result.hits;
}

export function toCitation(h: SearchHit): Citation {
  return { segmentId: h.segment.id, meetingId: h.meeting.id, meetingTitle: h.meeting.title, speaker: h.segment.speaker, startMs: h.segment.startMs, text: h.segment.text };
}

/** The answer with no LLM: the best-matching lines, each with who said it and when (in `citations`). */
export async function answerOffline(stores: Pick<Stores, 'search'>, query: AskQuery): Promise<Answer> {
  return offlineAnswer(query.question, await retrievePassages(stores, query));
}

/** Passages instead of prose; `reason` says why an LLM did not answer when one is configured. */
export function offlineAnswer(question: string, hits: SearchHit[], reason?: string): Answer {
  const citations = hits.map(toCitation);
  const why = reason ? `The LLM could not answer (${reason})` : 'No LLM provider is configured';
  const answer = citations.length
    ? `${why}, so these are the best-matching passages, not a written answer.`
    : 'Nothing in the transcripts matches that question.';
  return { question, answer, citations, mode: 'offline', ...(reason ? { reason } : {}) };
}

/** One citation as a plain-text line: who, when, where, what. */
export function citationLine(c: Citation): string {
  return `${c.speaker} (${clock(c.startMs)}, ${c.meetingTitle}): ${c.text}`;
}
