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
export async function retrievePassages(stores: Stores, query: AskQuery): Promise<SearchHit[]> {
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

/** The answer with no LLM: the best-matching lines, each with who said it and when. */
export async function answerOffline(stores: Stores, query: AskQuery): Promise<Answer> {
  const hits = await retrievePassages(stores, query);
  const citations = hits.map(toCitation);
  const answer = citations.length
    ? `Best-matching passages (no LLM provider configured, so these are quotes, not a written answer):\n${citations
        .map((c, i) => `[${i + 1}] ${c.speaker} at ${clock(c.startMs)} in "${c.meetingTitle}": ${c.text}`)
        .join('\n')}`
    : 'Nothing in the transcripts matches that question.';
  return { question: query.question, answer, citations, mode: 'offline' };
}
