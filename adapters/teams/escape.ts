/**
 * Teams text safety. Two renderers see what we send:
 *  - Adaptive Card TextBlocks render a markdown subset (`**bold**`, `_italic_`,
 *    `[label](url)`, lists) and card templating expands `{{DATE(...)}}`;
 *    HTML is not interpreted there.
 *  - Chat messages (textFormat markdown) also interpret HTML: `<at>` mentions,
 *    `<a href>` links, tags.
 * Everything a meeting said (titles, names, transcript text, minutes written
 * from it) goes through `cardText()` or `messageText()`, so it can never
 * produce a mention, a link, formatting or an expansion it did not have.
 */

const ZWJ = '\u2060';

/** Folds whitespace onto one line and cuts to `max` characters. */
export function oneLine(text: string, max = 2000): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length <= max ? folded : `${folded.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_~[\]()#>|!]/g, (c) => `\\${c}`)
    // A line opening with "- ", "+ " or "1. " would become a list.
    .replace(/^([-+])(\s)/, '\\$1$2')
    .replace(/^(\d+)\.(\s)/, '$1\\.$2')
    // Card templating ({{DATE(...)}}, {{TIME(...)}}) and bare @channel-style words.
    .replace(/\{\{/g, `{${ZWJ}{`)
    .replace(/@(channel|team|everyone|here)\b/gi, `@${ZWJ}$1`);
}

/** Said words for an Adaptive Card TextBlock: one line, markdown-inert, at most `max` characters. */
export function cardText(text: string, max = 2000): string {
  return escapeMarkdown(oneLine(text, max));
}

/** Said words for a chat message: HTML-escaped first (no `<at>`, no tags), then markdown-inert. */
export function messageText(text: string, max = 2000): string {
  const html = oneLine(text, max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return escapeMarkdown(html);
}

/** A markdown link whose URL is ours (dashboard) and whose label is escaped. */
export function mdLink(url: string, label: string, forMessage = false): string {
  const safeUrl = url.replace(/[()\s<>]/g, encodeURIComponent);
  return `[${forMessage ? messageText(label, 200) : cardText(label, 200)}](${safeUrl})`;
}
