/**
 * Cheap text utilities for spoken transcripts. Everything here runs on every
 * segment of an hour-long meeting, so it is regex-only (no NLP library).
 */

const FILLERS = /\b(?:um+|uh+|erm|er|hmm+|mm+-?hmm+|mm+|uh-huh|ah|oh)\b[,.]?\s*/gi;
const HEDGES = /\b(?:you know|i mean|kind of|sort of)\b,?\s*/gi;

/** Removes fillers and stutters ("our our" → "our") and tidies spacing. */
export function cleanSpeech(text: string): string {
  let t = text.replace(/\{[a-z]+\}/gi, ' ').replace(FILLERS, ' ').replace(HEDGES, ' ');
  t = t.replace(/\b([\w']+)(?:\s+\1\b)+/gi, '$1');
  t = t.replace(/\s+([,.?!])/g, '$1').replace(/([,.?!])(?:\s*[,.?!])+/g, '$1');
  t = t.replace(/\s+/g, ' ').trim().replace(/^[,.;\s]+/, '');
  return t;
}

/** Strips leading discourse markers that carry no content ("so, okay, well"). */
export function trimLeadIn(text: string): string {
  return text.replace(/^(?:(?:so|and|but|okay|ok|well|right|yeah|yes|alright|now|then|like)\b[,.]?\s*)+/i, '').trim();
}

export function capitalize(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** Sentence-ish form of a segment: cleaned, lead-in trimmed, capitalised, final stop. */
export function tidySentence(text: string): string {
  const t = trimLeadIn(cleanSpeech(text)).replace(/[,;:\s]+$/, '');
  if (!t) return '';
  return capitalize(/[.?!]$/.test(t) ? t : `${t}.`);
}

/** Lowercase word tokens (letters, digits, apostrophes). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

export const STOPWORDS = new Set(
  `a about above after again all also am an and any are as at be because been being both but by can could
  did do does doing don't down during each few for from further had has have having he her here hers him his
  how i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most my no nor not now of
  off on once only or other our ours out over own same she should so some such than that that's the their
  them then there there's these they they're this those through to too under until up very was we we'd we'll
  we're we've were what when where which while who whom why will with would you you'd you'll you're your
  yeah yes okay ok um uh mm hmm like well right gonna wanna think know mean go going get got thing things
  really actually maybe one two yep oh alright sure kind sort stuff lot bit something anything can't won't
  didn't doesn't wasn't aren't gotta say said see look want need make way good quite much many even still`.split(/\s+/),
);

/** Content words: tokens that are neither stopwords nor very short. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 2 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
}

/** Neutralises platform mentions so output text can never ping anyone. */
export function stripMentions(text: string): string {
  return text
    .replace(/<[@#!][^>\s]*>/g, '')
    .replace(/@(everyone|here|channel)\b/gi, '$1')
    .replace(/@(?=[\w.-])/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
