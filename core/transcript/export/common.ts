import type { Segment } from '../../types.ts';

export interface ExportResult {
  body: string;
  contentType: string;
  extension: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function parts(ms: number): { h: number; m: number; s: number; milli: number } {
  const total = Math.max(0, Math.round(ms));
  return {
    h: Math.floor(total / 3_600_000),
    m: Math.floor(total / 60_000) % 60,
    s: Math.floor(total / 1000) % 60,
    milli: total % 1000,
  };
}

/** `hh:mm:ss`, as used in Markdown transcript lines and evidence links. */
export function clock(ms: number): string {
  const { h, m, s } = parts(ms);
  return `${pad(h)}:${pad(m)}:${pad(s)}`;
}

/** `mm:ss` with minutes allowed past 59, for talk time. */
export function minutesSeconds(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

/** `HH:MM:SS<sep>mmm`: `.` for WebVTT, `,` for SRT. */
export function cueTime(ms: number, separator: '.' | ','): string {
  const { h, m, s, milli } = parts(ms);
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(milli, 3)}`;
}

/** Caption formats cannot hold line breaks inside a cue's text without changing it. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function byTime(a: Segment, b: Segment): number {
  return a.startMs - b.startMs || a.endMs - b.endMs || a.id - b.id;
}

/** Segments that have words, in time order. */
export function spokenSegments(segments: Segment[], order: (a: Segment, b: Segment) => number = byTime): Segment[] {
  return segments.filter((s) => oneLine(s.text) !== '').sort(order);
}
