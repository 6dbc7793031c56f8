/**
 * Hand-written cue phrases. They are features of the learned model and, on
 * their own, the fallback rules when a cue fires with no model weight.
 */
export const CUES: Record<string, RegExp> = {
  // commitments
  i_will: /\bi(?:'ll| will| shall)\b/i,
  i_going: /\bi(?:'m| am) (?:going to|gonna)\b/i,
  you_going: /\byou(?:'re| are) (?:going to|gonna)\b/i,
  you_will: /\byou(?:'ll| will)\b/i,
  can_you: /\b(?:can|could|would|will) you\b/i,
  lets: /\blet's\b|\blet us\b/i,
  we_need: /\bwe (?:need|have|got) to\b|\bwe've got to\b|\bwe must\b|\bneed to\b/i,
  we_should: /\bwe should\b|\bwe'd better\b/i,
  we_will: /\bwe(?:'ll| will)\b|\bwe(?:'re| are) (?:going to|gonna)\b/i,
  action_label: /\b(?:action(?: item)?|to-?do|follow[- ]up)\b\s*:?/i,
  you_should: /\byou (?:should|need to|have to|must|might want to)\b/i,
  make_sure: /\bmake sure\b|\bdon't forget\b|\bremember to\b/i,
  going_to: /\b(?:going to|gonna)\b/i,
  next_meeting: /\bnext meeting\b|\bnext time\b|\bin between\b|\binbetween\b|\bafter (?:this|the) meeting\b|\bbefore (?:the|our) next\b/i,
  homework: /\b(?:email|e-mail|send|prepare|look (?:in)?to|work on|working on|thinking about|think about|find out|check|research|present|bring|report)\b/i,
  role: /\b(?:industrial designer|interface designer|user interface|marketing|project manager|designers?)\b/i,
  due: /\b(?:by|before|until|on) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|next|the end|end of|eod)\b|\btomorrow\b|\bnext week\b/i,
  // decisions
  agreed: /\bagree[ds]?\b|\bagreement\b|\bconsensus\b/i,
  go_with: /\bgo (?:with|for)\b|\bstick (?:with|to)\b|\bsettle on\b|\bopt for\b/i,
  decided: /\bdecid(?:e|ed|ing)\b|\bdecision\b/i,
  well_use: /\bwe(?:'ll| will| can| could)? use\b|\bwe(?:'re| are) using\b|\busing\b/i,
  final: /\bfinal(?:ly|ize|ised|ized)?\b|\bsettled\b|\bconfirmed?\b/i,
  so_we: /^(?:\W*(?:um|uh|so|okay|ok|right|yeah|and)\b\W*)+we\b/i,
  we_have: /\bwe(?:'ve| have) got\b|\bwe have\b/i,
  it_will: /\b(?:it|that)(?:'ll| will| would)\b|\bit's gonna\b|\bit should\b/i,
  fine: /^\W*(?:yeah|yes|okay|ok|sure|right|fine|good|great|definitely|absolutely|exactly)\b/i,
  happy: /\bhappy with\b|\bsounds good\b|\bthat's fine\b|\bfine with\b|\bokay with\b|\bwe all\b/i,
  not: /\bnot\b|\bno\b|n't\b/i,
  numbers: /\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|fifty|hundred|euros?|percent|pounds|dollars)\b/i,
  // questions and blockers
  wh: /^\W*(?:(?:um|uh|so|and|okay|but)\W+)*(?:what|how|why|when|where|who|which|should|shall|can|could|do|does|did|is|are|will|would|have|has)\b/i,
  problem: /\bblock(?:ed|er|ing)?\b|\bproblems?\b|\bissues?\b|\brisks?\b|\bcan't\b|\bcannot\b|\bexpensive\b|\bbudget\b|\bcosts?\b|\bconcern(?:ed|s)?\b|\bworr(?:y|ied)\b|\bdifficult\b|\btoo (?:much|many|big|small|hard)\b|\bdon't know\b|\bnot sure\b|\blimit(?:ed|s|ation)?\b/i,
  urgent: /\burgent(?:ly)?\b|\basap\b|\bas soon as possible\b|\bcritical\b|\bimmediately\b|\bhigh priority\b|\btop priority\b/i,
};

export const CUE_NAMES = Object.keys(CUES);

export function firedCues(text: string): string[] {
  const out: string[] = [];
  for (const name of CUE_NAMES) if (CUES[name]!.test(text)) out.push(name);
  return out;
}

/** Commitment / decision / blocker cue groups used by the rule fallback and the live analyzer. */
export const ACTION_CUES = ['i_will', 'i_going', 'you_going', 'you_will', 'can_you', 'lets', 'we_need', 'we_should', 'action_label', 'you_should', 'make_sure', 'going_to'];
export const DECISION_CUES = ['agreed', 'go_with', 'decided', 'well_use', 'final'];
export const BLOCKER_CUES = ['problem'];
