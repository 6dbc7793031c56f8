import { clock } from './common.ts';

/**
 * Escapes text placed inline after a prefix (list marker, timestamp, speaker). HTML
 * is neutralised with entities, which every renderer honours; the other
 * Markdown-significant characters get backslashes. Text is folded onto one line so
 * it can never start a heading, list or block quote.
 */
export function escapeInline(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]#|~]/g, '\\$&');
}

/**
 * For generated prose (summaries) that may itself use Markdown lists and emphasis:
 * keeps the Markdown but not raw HTML.
 */
export function escapeHtmlOnly(text: string): string {
  return text.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function anchorId(segmentId: number): string {
  return `seg-${segmentId}`;
}

/** Evidence as timestamp links to the transcript lines' anchors. */
export function evidenceLinks(ids: number[], startOf: Map<number, number>): string {
  return ids
    .map((id) => {
      const start = startOf.get(id);
      return `[${start === undefined ? `segment ${id}` : clock(start)}](#${anchorId(id)})`;
    })
    .join(', ');
}

export function section(title: string, lines: string[], emptyText: string): string {
  return `## ${title}\n\n${lines.length > 0 ? lines.join('\n') : emptyText}`;
}

export function formatDate(date: Date | null): string | undefined {
  if (!date || Number.isNaN(date.getTime())) return undefined;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
