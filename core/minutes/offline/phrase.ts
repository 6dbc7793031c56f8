import { capitalize, cleanSpeech, stripMentions, tidySentence, trimLeadIn } from './text.ts';

/**
 * Rewrites a spoken commitment as a minutes line: "I'm gonna send the
 * specs" → "Dana will send the specs". Extractive only: every content word
 * comes from the segment, so no name, mention or link can be introduced.
 */

const COMMIT = [
  { re: /\bi(?:'ll| will| shall|'m going to|'m gonna| am going to| am gonna)\s+(?:be\s+)?/i, who: 'speaker' },
  { re: /\b(?:can|could|would|will) you(?: please)?\s+/i, who: 'addressee' },
  { re: /\byou(?:'ll| will|'re going to|'re gonna| are going to| are gonna| should| need to| have to| must)\s+(?:be\s+)?/i, who: 'addressee' },
  { re: /\b(?:we(?:'ll| will|'re going to|'re gonna| are going to| need to| have to|'ve got to| should| must)|let's|let us)\s+(?:be\s+)?/i, who: 'group' },
] as const;

export interface Phrased {
  text: string;
  who: 'speaker' | 'addressee' | 'group' | null;
}

function finish(s: string): string {
  const t = s.replace(/[,;:?\s]+$/, '').trim();
  return /[.?!]$/.test(t) ? t : `${t}.`;
}

export function phraseAction(raw: string, ownerName: string | null): Phrased {
  const clean = stripMentions(trimLeadIn(cleanSpeech(raw)));
  for (const { re, who } of COMMIT) {
    const m = re.exec(clean);
    if (!m) continue;
    const rest = clean.slice(m.index + m[0].length).trim();
    if (rest.split(/\s+/).length < 2) continue;
    const subject = who === 'group' ? 'The group' : ownerName ?? (who === 'speaker' ? 'The speaker' : 'The team');
    return { text: finish(`${subject} will ${rest.replace(/^to\s+/i, '')}`), who };
  }
  const t = tidySentence(stripMentions(raw));
  return { text: t || capitalize(clean), who: null };
}

const DECIDE = /\b(?:we(?:'ll| will|'re going to|'re gonna| are going to| are gonna|'re using| should| could| can)|let's go with|let's)\s+/i;

const AGREED = /\bwe(?: have|'ve)?(?: all)? (agreed|decided)(?: on| to| that)?\s+/i;

export function phraseDecision(raw: string): string {
  const clean = stripMentions(trimLeadIn(cleanSpeech(raw)));
  const agreed = AGREED.exec(clean);
  if (agreed) {
    const rest = clean.slice(agreed.index + agreed[0].length).replace(/,?\s*right\?*$/i, '').trim();
    if (rest.split(/\s+/).length >= 2) return finish(`The group ${agreed[1]!.toLowerCase()} ${rest}`);
  }
  const m = DECIDE.exec(clean);
  if (m) {
    const rest = clean.slice(m.index + m[0].length).trim();
    if (rest.split(/\s+/).length >= 2) return finish(`The group will ${rest}`);
  }
  return tidySentence(clean) || clean;
}

export function phraseNote(raw: string): string {
  return tidySentence(stripMentions(raw)) || stripMentions(raw.trim());
}
