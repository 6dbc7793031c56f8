/**
 * BullMQ ids may be neither integers nor contain `:` (its key separator);
 * callers' ids often do (`minutes:<meetingId>`), so they are escaped here and
 * unescaped on the way out. Every job gets an id of ours (a UUID if none), so
 * every BullMQ id decodes.
 */
export function encodeJobId(id: string): string {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  const escaped = id.replace(/[%:]/g, hex);
  // BullMQ's own test for an integer id; escaping the first character makes it text.
  return `${parseInt(escaped, 10)}` === escaped ? hex(escaped[0]!) + escaped.slice(1) : escaped;
}

export function decodeJobId(id: string): string {
  return id.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
