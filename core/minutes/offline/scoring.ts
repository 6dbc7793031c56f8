import { ACTION_CUES, BLOCKER_CUES, DECISION_CUES } from './cues.ts';
import type { MeetingContext } from './features.ts';
import { isBackchannel, segmentFeatures } from './features.ts';
import type { MinutesModel, Task } from './model.ts';
import { TASKS, score } from './model.ts';

/**
 * Per-segment probabilities for every task: the learned model when one is
 * shipped, otherwise transparent cue rules (so a missing or corrupt model file
 * degrades quality, never availability).
 */

const RULE_CUES: Record<Task, string[]> = {
  action: ACTION_CUES,
  decision: DECISION_CUES,
  problem: BLOCKER_CUES,
  summary: [],
};

function ruleProb(ctx: MeetingContext, i: number, task: Task): number {
  if (isBackchannel(ctx, i)) return 0;
  const len = ctx.tokens[i]!.length;
  if (task === 'summary') return Math.min(1, len / 30);
  const hits = ctx.cues[i]!.filter((c) => RULE_CUES[task].includes(c)).length;
  if (hits === 0) return 0;
  return Math.min(0.95, 0.45 + 0.15 * hits + Math.min(0.2, len / 100));
}

/**
 * Unambiguous, explicit phrasings ("I'll send…", "can you review… by Friday",
 * "we decided…"). The model learned AMI's role-play meetings, where such lines
 * are rare; these keep plain business meetings from coming back empty.
 */
const EXPLICIT: Partial<Record<Task | 'urgent', RegExp>> = {
  action: /\b(?:i(?:'ll| will) (?!be\b|have\b|just\b|say\b|see\b|go\b|show\b|try\b)[a-z]+|(?:can|could) you (?:please )?(?:send|email|review|update|check|prepare|write|fix|draft|schedule|share|follow)\b|action items?:|todo:)/i,
  urgent: /\b(?:urgent|asap)\b.*\bneed to\b|\bneed to\b.*\b(?:urgent|asap)\b/i,
  decision: /\b(?:we(?: have|'ve)? decided|we(?: all)? agreed|let's go with|decision is|that's final|we(?:'ll| will) go with)\b/i,
  problem: /\b(?:blocked|blocker|is a (?:real )?(?:problem|risk|concern))\b/i,
};
export const EXPLICIT_FLOOR = 0.75;

export type TaskProbs = Record<Task, number[]> & {
  /** EXPLICIT_FLOOR where an explicit phrasing fired, else 0: the fallback when the model picks nothing. */
  explicit: Record<Task, number[]>;
};

export function taskProbabilities(ctx: MeetingContext, model: MinutesModel | null): TaskProbs {
  const out = { action: [], decision: [], problem: [], summary: [] } as unknown as TaskProbs;
  out.explicit = { action: [], decision: [], problem: [], summary: [] };
  for (let i = 0; i < ctx.segments.length; i++) {
    const feats = model ? segmentFeatures(ctx, i) : null;
    for (const task of TASKS) {
      const p = model && feats ? score(model.tasks[task], feats) : ruleProb(ctx, i, task);
      const text = ctx.segments[i]!.text;
      const hit = EXPLICIT[task]?.test(text) || (task === 'action' && EXPLICIT.urgent!.test(text));
      const back = isBackchannel(ctx, i);
      out.explicit[task].push(model && hit && !back ? EXPLICIT_FLOOR : 0);
      out[task].push(back ? Math.min(p, 0.05) : p);
    }
  }
  return out;
}
