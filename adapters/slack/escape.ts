import { packLines as packTextLines } from '../../core/format.ts';
/**
 * Slack text safety. In mrkdwn Slack parses `<…>` as links and mentions
 * (`<!channel>`, `<!here>`, `<@U…>`, `<#C…>`, `<https://…|label>`) and only
 * `&`, `<` and `>` need escaping (https://api.slack.com/reference/surfaces/formatting#escaping).
 * Everything a meeting said goes through `mrkdwn()`, so transcript text can
 * never produce a mention or a link it did not have; bare `@channel`/`@here`/
 * `@everyone` words get a zero-width joiner as well, in case a client
 * (or a future `link_names`) would resolve them. Messages are also sent with
 * `link_names: false` and no unfurling (`NO_PARSE`).
 */
export const NO_PARSE = { link_names: false, unfurl_links: false, unfurl_media: false } as const;

export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  optionText: 75,
  options: 100,
  actionElements: 25,
  fallbackText: 3000,
  blockId: 255,
  actionValue: 2000,
} as const;

const ZWJ = '\u2060';

/** Escapes `&`, `<`, `>` and defuses broadcast words. Whitespace is folded onto one line unless `multiline`. */
export function mrkdwn(text: string, options: { multiline?: boolean } = {}): string {
  const folded = options.multiline ? text.replace(/\r\n?/g, '\n') : text.replace(/\s+/g, ' ').trim();
  return folded
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, `@${ZWJ}$1`);
}

/** Cuts text to `max` characters with an ellipsis, never inside an `&amp;`-style entity. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1)).replace(/&[a-z]{0,4}$/i, '').trimEnd();
  return `${cut}…`;
}

/** Said words as safe mrkdwn of at most `max` characters. */
export function safe(text: string, max: number = LIMITS.sectionText): string {
  return truncate(mrkdwn(text), max);
}

/** Text for `plain_text` objects (never parsed by Slack): one line, cut to `max`. */
export function plain(text: string, max: number): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return truncate(folded || '—', max);
}

/** A link in mrkdwn; the URL is ours (dashboard), the label is escaped and may not contain `|`. */
export function link(url: string, label: string): string {
  return `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${mrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Lines packed into chunks of at most `max` characters, never splitting a line (a too-long line is cut, never inside an entity). */
export const packLines = (lines: string[], max: number = LIMITS.sectionText): string[] => packTextLines(lines, max, truncate);

/** A Slack user mention for ids that really are user ids (U…/W…), nothing else. */
export function userMention(slackUserId: string): string | null {
  return /^[UW][A-Z0-9]{2,}$/.test(slackUserId) ? `<@${slackUserId}>` : null;
}
