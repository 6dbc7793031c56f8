import type { LlmRequest } from './LlmProvider.ts';
import type { LlmMinutes } from './minutesSchema.ts';

/**
 * A stand-in for a model that answers the minutes prompt sensibly from its
 * input: it reads the `[id] Speaker: words` lines back out of the prompt and
 * applies keyword rules, citing the lines it used. For the analyzer contract,
 * analyzer tests and the token bench — not a real analyzer.
 */
const LINE = /^\[(\d+)\] ([^:]+): (.*)$/;

export function transcriptLines(req: LlmRequest): { id: number; speaker: string; text: string }[] {
  const last = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const block = /<transcript>\n([\s\S]*?)\n?<\/transcript>/.exec(last)?.[1] ?? '';
  return block.split('\n').flatMap((line) => {
    const m = LINE.exec(line);
    return m ? [{ id: Number(m[1]), speaker: m[2]!, text: m[3]! }] : [];
  });
}

export function scriptedMinutes(req: LlmRequest): LlmMinutes {
  const lines = transcriptLines(req);
  const pick = (re: RegExp) => lines.filter((l) => re.test(l.text));
  const note = (l: (typeof lines)[number]) => ({ text: l.text, confidence: 0.8, evidence: [l.id] });
  const sections: LlmMinutes['sections'] = [];
  for (let i = 0; i < lines.length; i += 40) {
    const slice = lines.slice(i, i + 40);
    sections.push({ title: `Discussion ${sections.length + 1}`, text: slice.slice(0, 2).map((l) => l.text).join(' '), evidence: slice.slice(0, 3).map((l) => l.id) });
  }
  return {
    abstract: lines.length > 0 ? `${lines.length} remarks by ${new Set(lines.map((l) => l.speaker)).size} speakers.` : '',
    sections,
    actionItems: pick(/\b(I'll|I will|we will|we'll|need to|should|action item|assign)\b/i).map((l) => ({
      text: l.text, owner: l.speaker, due: null, priority: 'medium' as const, confidence: 0.75, evidence: [l.id],
    })),
    decisions: pick(/\b(decided|agreed|let's go with|we'll go with|decision)\b/i).map(note),
    questions: pick(/\?\s*$/).map(note),
    blockers: pick(/\b(blocked|blocker|waiting on|can't proceed|cannot proceed)\b/i).map(note),
  };
}

/** A responder for ScriptedProvider that answers every minutes-type task. */
export function minutesResponder(req: LlmRequest): string {
  if (/merge the abstracts/i.test(req.system)) return JSON.stringify({ abstract: 'The meeting in brief.' });
  return JSON.stringify(scriptedMinutes(req));
}
