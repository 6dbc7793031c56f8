/**
 * Word error rate, the standard way: both texts normalised (lowercase,
 * punctuation stripped, digits written out as words the way the references
 * spell them), then a word-level Levenshtein alignment;
 * WER = (substitutions + deletions + insertions) / reference words.
 */
export interface WerResult {
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Reference words after normalisation (N). */
  referenceWords: number;
  hypothesisWords: number;
}

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** Cardinal words for 0..999999 ("one hundred twenty three"). */
export function numberToWords(n: number): string {
  if (n < 20) return ONES[n]!;
  if (n < 100) return `${TENS[Math.floor(n / 10)]!}${n % 10 ? ` ${ONES[n % 10]!}` : ''}`;
  if (n < 1000) return `${ONES[Math.floor(n / 100)]!} hundred${n % 100 ? ` ${numberToWords(n % 100)}` : ''}`;
  return `${numberToWords(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${numberToWords(n % 1000)}` : ''}`;
}

/** Years are read in pairs ("1813" → "eighteen thirteen"), as LJSpeech and LibriSpeech write them. */
function digitsToWords(digits: string): string {
  const n = Number(digits);
  if (digits.length > 6 || digits.startsWith('0')) return [...digits].map((d) => ONES[Number(d)]!).join(' ');
  if (digits.length === 4 && n >= 1100 && n < 2000 && n % 100 !== 0) {
    const low = n % 100;
    return `${numberToWords(Math.floor(n / 100))} ${low < 10 ? `oh ${ONES[low]!}` : numberToWords(low)}`;
  }
  return numberToWords(n);
}

export function normalizeForWer(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\b\d{1,3}(?:,\d{3})+\b/g, (d) => ` ${numberToWords(Number(d.replace(/,/g, '')))} `)
    .replace(/\d+/g, (d) => ` ${digitsToWords(d)} `)
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

export function wordErrorRate(reference: string, hypothesis: string): WerResult {
  return alignWords(normalizeForWer(reference), normalizeForWer(hypothesis));
}

/** Levenshtein over words with S/D/I counts from the cheapest path (ties: substitution first). */
export function alignWords(ref: readonly string[], hyp: readonly string[]): WerResult {
  const cols = hyp.length + 1;
  const cost = new Uint32Array((ref.length + 1) * cols);
  for (let j = 0; j < cols; j++) cost[j] = j;
  for (let i = 1; i <= ref.length; i++) {
    cost[i * cols] = i;
    for (let j = 1; j < cols; j++) {
      const sub = cost[(i - 1) * cols + j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      cost[i * cols + j] = Math.min(sub, cost[(i - 1) * cols + j]! + 1, cost[i * cols + j - 1]! + 1);
    }
  }
  let i = ref.length;
  let j = hyp.length;
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  while (i > 0 || j > 0) {
    const here = cost[i * cols + j]!;
    if (i > 0 && j > 0 && here === cost[(i - 1) * cols + j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] !== hyp[j - 1]) substitutions++;
      i--;
      j--;
    } else if (i > 0 && here === cost[(i - 1) * cols + j]! + 1) {
      deletions++;
      i--;
    } else {
      insertions++;
      j--;
    }
  }
  const errors = substitutions + deletions + insertions;
  const wer = ref.length === 0 ? (hyp.length === 0 ? 0 : 1) : errors / ref.length;
  return { wer, substitutions, deletions, insertions, referenceWords: ref.length, hypothesisWords: hyp.length };
}
