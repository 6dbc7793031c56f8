import { createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OggOpusWriter } from '../../core/audio/OggOpusWriter.ts';
import type { RecordingPolicy } from '../../core/audio/recordingPolicy.ts';
import type { OpusPacket, PacketSink, RecorderFactory } from '../../core/audio/types.ts';

/**
 * Per-speaker raw audio recordings, only when an organization turned them on
 * (`settings.recording.keepAudio`): `<dir>/<meetingId>/<speaker-slug>.opus`,
 * Ogg/Opus holding the packets as they arrived (no re-encode; silence a
 * platform does not send and lost packets are not in the file). The pipeline
 * hands a recorder only packets that passed the consent check; an opt-out
 * discards (deletes) that speaker's file for the meeting.
 */

const DAY_MS = 86_400_000;

/** Where recordings live under DATA_DIR. */
export function recordingsDir(dataDir: string): string {
  return join(dataDir, 'recordings');
}

export function speakerSlug(displayName: string): string {
  const slug = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'speaker';
}

function safeDirName(meetingId: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(meetingId)) throw new Error(`meeting id ${JSON.stringify(meetingId)} cannot be a directory name`);
  return meetingId;
}

export interface RecorderOptions {
  /** The recordings root, e.g. recordingsDir(config.dataDir). */
  dir: string;
  meetingId: string;
  displayName: string;
  /** OpusHead channel count (the decoder's output); default 1. Opus decodes stereo packets to mono and back. */
  channels?: 1 | 2;
}

export interface Recorder extends PacketSink {
  readonly path: string;
  /** Packets written / skipped because their TOC could not be read (empty or corrupt). */
  readonly stats: { packets: number; skipped: number };
  close(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Opens `<dir>/<meetingId>/<slug>.opus` (never overwriting: a second stream with
 * the same slug gets `<slug>-2.opus`) and writes Ogg/Opus pages as packets come.
 */
export function createRecorder(options: RecorderOptions): Recorder {
  const meetingDir = join(options.dir, safeDirName(options.meetingId));
  mkdirSync(meetingDir, { recursive: true });
  const slug = speakerSlug(options.displayName);
  let path = '';
  let fd = -1;
  for (let n = 1; fd < 0; n++) {
    path = join(meetingDir, `${n === 1 ? slug : `${slug}-${n}`}.opus`);
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw err;
    }
  }
  const file: WriteStream = createWriteStream('', { fd });
  let failure: Error | null = null;
  file.on('error', (err) => (failure ??= err));
  const finished = new Promise<void>((resolve) => file.once('close', () => resolve()));
  const writer = new OggOpusWriter({ sink: file, channels: options.channels ?? 1 });
  const stats = { packets: 0, skipped: 0 };
  let state: 'open' | 'closed' | 'discarded' = 'open';

  return {
    path,
    stats,
    write(packet: OpusPacket) {
      if (state !== 'open') return;
      if (failure) throw failure;
      try {
        writer.write(packet.data);
        stats.packets++;
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        stats.skipped++; // an unreadable packet is left out; the file stays valid
      }
    },
    async close() {
      if (state !== 'open') return;
      state = 'closed';
      if (!failure) writer.end();
      else file.destroy();
      await finished;
      if (failure) throw failure;
    },
    async discard() {
      if (state === 'discarded') return;
      state = 'discarded';
      file.destroy();
      await finished;
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await rmdir(meetingDir).catch(() => undefined); // only when nobody else is recorded
    },
  };
}

/** The pipeline's `recorder` option for one meeting, or undefined when the policy keeps no audio. */
export function recorderFor(policy: RecordingPolicy, options: { dir: string; meetingId: string; channels?: 1 | 2 }): RecorderFactory | undefined {
  if (!policy.keepAudio) return undefined;
  return (_stream, displayName) => createRecorder({ ...options, displayName });
}

export interface PurgedRecording {
  /** The meeting folder's name (the meeting id). */
  meetingId: string;
  files: string[];
  lastWriteAt: Date;
  retentionDays: number;
}

export interface PurgeOptions {
  /** The recordings root. */
  dir: string;
  now: Date | number;
  /** Retention for a meeting folder (e.g. its organization's policy); null/undefined = leave it alone. */
  retentionDaysFor: (meetingId: string) => number | null | undefined | Promise<number | null | undefined>;
}

/**
 * Deletes meeting recording folders whose newest write (folder or file mtime)
 * is older than their retention. Returns what was deleted, for an audit log line.
 */
export async function purgeExpiredRecordings(options: PurgeOptions): Promise<PurgedRecording[]> {
  const now = typeof options.now === 'number' ? options.now : options.now.getTime();
  let entries;
  try {
    entries = await readdir(options.dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const purged: PurgedRecording[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const folder = join(options.dir, entry.name);
    const days = await options.retentionDaysFor(entry.name);
    if (days === null || days === undefined || !Number.isFinite(days)) continue;
    const files = (await readdir(folder)).sort();
    let newest = (await stat(folder)).mtimeMs;
    for (const f of files) newest = Math.max(newest, (await stat(join(folder, f))).mtimeMs);
    if (now - newest <= days * DAY_MS) continue;
    await rm(folder, { recursive: true, force: true });
    purged.push({ meetingId: entry.name, files, lastWriteAt: new Date(newest), retentionDays: days });
  }
  return purged;
}
