/** Small text formatters shared by the CLI, the dashboard and chat renderers. */

/** `mm:ss`, or `h:mm:ss` past the first hour, for a position on the meeting clock. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Engines whose recognition is rough enough that readers should be told. */
const LOW_ACCURACY_ENGINES = /^pocketsphinx/;

/**
 * Which speech-to-text engines produced a transcript's words (segments from
 * ASR are stored with source `asr:<engine>`), e.g. `pocketsphinx (offline,
 * lower accuracy)`; null when the words came from a transcript file or chat.
 */
export function transcribedBy(segments: readonly { source: string }[]): string | null {
  const engines = [...new Set(segments.filter((s) => s.source.startsWith('asr:')).map((s) => s.source.slice(4)))];
  if (engines.length === 0) return null;
  return engines.map((e) => (LOW_ACCURACY_ENGINES.test(e) ? `${e} (offline, lower accuracy)` : e)).join(', ');
}

/** At most `max` characters, with an ellipsis when cut (chat platforms limit every text field). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** Lines packed into chunks of at most `max` characters, never splitting a line (a too-long line is cut with `cut`). */
export function packLines(lines: string[], max: number, cut: (text: string, max: number) => string = truncate): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = cut(raw, max);
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) chunks.push(current);
  return chunks;
}
