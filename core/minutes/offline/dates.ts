import * as chrono from 'chrono-node';
import type { Priority } from '../../types.ts';

/**
 * Due dates and priorities of action items. Dates are resolved in UTC against
 * the meeting start so the same transcript always gives the same calendar day.
 */

const NOT_A_DEADLINE = /^(?:now|then|once|one|second|a second|a minute)$/i;

export function resolveDueDate(text: string, reference: Date): string | null {
  const results = chrono.parse(text, { instant: reference, timezone: 'UTC' }, { forwardDate: true });
  for (const r of results) {
    if (NOT_A_DEADLINE.test(r.text.trim())) continue;
    const y = r.start.get('year');
    const m = r.start.get('month');
    const d = r.start.get('day');
    if (y == null || m == null || d == null) continue;
    return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  return null;
}

export function priorityOf(text: string): Priority {
  if (/\b(?:critical|blocker|immediately|emergency|right away)\b/i.test(text)) return 'critical';
  if (/\b(?:urgent(?:ly)?|asap|as soon as possible|high priority|top priority)\b/i.test(text)) return 'high';
  if (/\b(?:low priority|when you get a chance|no rush|eventually|nice to have)\b/i.test(text)) return 'low';
  return 'medium';
}
