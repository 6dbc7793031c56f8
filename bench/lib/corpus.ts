/**
 * Seeded, fast generator of meeting-like English: a vocabulary ranked by
 * frequency (spoken function words first, then meeting vocabulary, then a long
 * tail of rarer real words and made-up product/customer names) sampled with a
 * Zipf–Mandelbrot distribution, plus a few recurring bigrams for phrase search.
 * Same seed, same text: runs stay comparable.
 */

/** mulberry32: tiny, fast, good enough for benchmark data. Returns [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

// Most frequent words of spoken English (mostly Postgres 'english' stopwords).
const FUNCTION_WORDS = `the i you and to a that it we so is of in this just like yeah know think on have be do for
but not what they can with are was going if there get right um okay uh me my our your at all about
would go one as then well really from will at an or no he she them people us because those these some out up
also its how when which more been were here now very there's actually maybe kind sort lot`.split(/\s+/);

// Everyday meeting vocabulary, roughly most to least frequent.
const MEETING_WORDS = `need team week time work next thing make sure want look good sprint release customer update
question issue plan project meeting data feature today call point back deadline priority review test
design budget launch user product roadmap ticket support sales account quarter goal metric number report
change problem deploy build fix bug server api client service version branch merge code pipeline estimate
scope risk timeline demo feedback contract pricing invoice revenue forecast hire onboarding candidate interview
security audit compliance policy access migration database schema query index cache latency performance
incident outage alert monitoring dashboard logs backup restore rollout rollback staging production environment
partner vendor legal marketing campaign webinar blog website analytics funnel conversion retention churn
mobile android ios browser desktop integration slack teams discord calendar email notification reminder
document spec proposal draft approval sign decision owner action follow item blocker dependency handoff
capacity headcount resources offsite workshop retro standup planning backlog story epic milestone checkpoint
infrastructure kubernetes container cluster node network storage bandwidth throughput scaling autoscaling
vendor procurement renewal discount quote tender pilot prototype experiment hypothesis survey interviewee
translation localization accessibility keyboard screen reader contrast font layout navigation onboarding
refund dispute chargeback subscription tier upgrade downgrade trial cancellation enterprise startup nonprofit
agenda minutes transcript summary recording consent privacy retention export import archive deletion`.split(/\s+/);

// Real but less common words: the start of the long tail.
const RARER_WORDS = `reconciliation idempotency amortization depreciation arbitration indemnity escrow fiduciary
sharding replication failover quorum consensus backpressure debounce throttling memoization serialization
kerberos oauth saml provisioning deprovisioning entitlement segmentation cohort attribution multivariate
heuristic stochastic regression gradient embedding tokenizer inference quantization distillation annotation
ergonomics wayfinding signage cafeteria parking reimbursement stipend sabbatical bereavement ombudsman
tariff customs freight logistics warehouse pallet forklift courier manifest consignment demurrage
biometric geofence telemetry firmware bootloader watchdog oscilloscope spectrometer calibration tolerance
mezzanine atrium skylight drywall plumbing sprinkler elevator escalator turnstile intercom thermostat`.split(/\s+/);

const SYLLABLES = `ka lo mi ra ven tor quil zan bex dro fin gal hu jor kel lum nar op pra quo ris sul tan
ub vor wex yal zor ami bri cor dex eli fro gra hal ix jun kry lor mar nex ori pyl qua rev syn tri ulm vex wyn xer`.split(/\s+/);

/** Recurring phrases: the targets of quoted-phrase queries. */
export const BIGRAMS = `action item|quarterly budget|release candidate|customer churn|load balancer|code freeze|
launch date|pricing page|security review|design review|sales pipeline|support ticket|data migration|
hiring plan|performance review|error budget|feature flag|status page|root cause|board meeting`
  .split('|').map((s) => s.trim());

export interface Corpus {
  /** Words by frequency rank (0 = most frequent). */
  words: string[];
  /** Expected share of tokens for each rank. */
  weights: Float64Array;
  /** Ranks of the made-up tail words: rare and unambiguous, good "rare word" queries. */
  tailStart: number;
  sampleWord: (rnd: () => number) => string;
  /** A segment text of 5–25 words. */
  sentence: (rnd: () => number) => string;
}

const TAIL_SHARE = 0.06;

export function buildCorpus(seed = 42, tailSize = 40_000): Corpus {
  const rnd = prng(seed);
  const head = [...new Set([...FUNCTION_WORDS, ...MEETING_WORDS, ...RARER_WORDS])];
  const seen = new Set(head);
  const tail: string[] = [];
  while (tail.length < tailSize) {
    const n = 2 + Math.floor(rnd() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += pick(rnd, SYLLABLES);
    if (!seen.has(w)) {
      seen.add(w);
      tail.push(w);
    }
  }
  const words = [...head, ...tail];
  // Zipf–Mandelbrot, p(k) ∝ 1 / (k + q)^s as in transcribed speech, over the
  // real words; the made-up tail gets a small share of tokens (Zipf within it)
  // so text stays readable while the last tail words occur only a few times.
  const weights = new Float64Array(words.length);
  const zipf = (from: number, to: number, q: number, share: number) => {
    let sum = 0;
    for (let k = from; k < to; k++) sum += weights[k] = 1 / Math.pow(k - from + q, 1.02);
    for (let k = from; k < to; k++) weights[k] = (weights[k]! / sum) * share;
  };
  zipf(0, head.length, 2.7, 1 - TAIL_SHARE);
  zipf(head.length, words.length, 20, TAIL_SHARE);
  const draw = aliasSampler(weights);
  const sampleWord = (r: () => number) => words[draw(r)]!;

  const sentence = (r: () => number): string => {
    const n = 5 + Math.floor(r() * 21);
    const parts: string[] = new Array(n);
    for (let i = 0; i < n; i++) parts[i] = sampleWord(r);
    if (r() < 0.15) {
      // A recurring phrase somewhere in one segment out of ~7.
      const at = Math.floor(r() * (n - 1));
      const [a, b] = pick(r, BIGRAMS).split(' ');
      parts[at] = a!;
      parts[at + 1] = b!;
    }
    const first = parts[0]!;
    parts[0] = first.charAt(0).toUpperCase() + first.slice(1);
    if (n > 10 && r() < 0.5) parts[Math.floor(n / 2)] += ',';
    return parts.join(' ') + (r() < 0.1 ? '?' : '.');
  };
  return { words, weights, tailStart: head.length, sampleWord, sentence };
}

/** Walker's alias method: O(1) draws from a discrete distribution. */
function aliasSampler(weights: Float64Array): (rnd: () => number) => number {
  const n = weights.length;
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = Float64Array.from(weights, (w) => w * n);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  for (const i of [...small, ...large]) prob[i] = 1;
  return (rnd) => {
    const u = rnd() * n;
    const i = Math.floor(u);
    return u - i < prob[i]! ? i : alias[i]!;
  };
}

export const SPEAKERS = `Alice Chen|Bob Okafor|Carla Mendes|Dev Patel|Emma Rossi|Farid Haddad|Grace Kim|Hugo Martin|
Ines Novak|Jonas Berg|Keiko Sato|Liam Walsh|Maya Cohen|Nils Larsen|Olivia Brown|Pedro Silva`.split('|').map((s) => s.trim());
