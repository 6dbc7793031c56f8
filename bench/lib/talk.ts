import { buildCorpus, pick, SPEAKERS, type Corpus } from './corpus.ts';

/**
 * What synthetic meetings say: mostly corpus sentences (realistic word
 * frequencies, for search), and about one line in four a commitment, decision,
 * question or blocker in the words people use, so the minutes have content.
 */

const THINGS = ['release notes', 'pricing page', 'vendor contract', 'budget forecast', 'security review', 'onboarding guide', 'status page',
  'migration plan', 'load test report', 'customer survey', 'design mockups', 'hiring plan', 'incident postmortem', 'roadmap slides'];
const VERBS = ['send', 'update', 'review', 'finish', 'draft', 'share', 'check', 'fix', 'prepare', 'publish'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'next week', 'the end of the month', 'tomorrow'];

const TEMPLATES: ((r: () => number, to: string) => string)[] = [
  (r, to) => `${to}, can you ${pick(r, VERBS)} the ${pick(r, THINGS)} by ${pick(r, DAYS)}?`,
  (r) => `I will ${pick(r, VERBS)} the ${pick(r, THINGS)} before ${pick(r, DAYS)}.`,
  (r) => `We decided to ${pick(r, VERBS)} the ${pick(r, THINGS)} ${pick(r, DAYS) === 'tomorrow' ? 'tomorrow' : `on ${pick(r, DAYS)}`}.`,
  (r) => `Let's agree that the ${pick(r, THINGS)} ships ${pick(r, DAYS)}.`,
  (r) => `Who owns the ${pick(r, THINGS)}?`,
  (r) => `We are blocked on the ${pick(r, THINGS)} until legal signs off.`,
  (r, to) => `Action item for ${to}: ${pick(r, VERBS)} the ${pick(r, THINGS)}.`,
];

export interface Talk {
  corpus: Corpus;
  line(rnd: () => number, speakers: readonly string[]): string;
}

export function meetingTalk(seed: number): Talk {
  const corpus = buildCorpus(seed, 5000);
  return {
    corpus,
    line(rnd, speakers) {
      if (rnd() < 0.25) return pick(rnd, TEMPLATES)(rnd, pick(rnd, speakers).split(' ')[0]!);
      return corpus.sentence(rnd);
    },
  };
}

/** `count` distinct speaker names (the corpus list, then numbered). */
export function speakerNames(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const k = (offset + i) % SPEAKERS.length;
    const round = Math.floor((offset + i) / SPEAKERS.length);
    return round === 0 ? SPEAKERS[k]! : `${SPEAKERS[k]!} (${round + 1})`;
  });
}
