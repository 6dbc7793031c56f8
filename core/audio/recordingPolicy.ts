import { z } from 'zod';

/**
 * Whether an organization keeps raw audio: `organizations.settings.recording =
 * { keepAudio, retentionDays }`. Off unless an organization turns it on; an
 * invalid value falls back to its default (so a typo never turns recording on)
 * and is reported as a coded warning.
 */
export interface RecordingPolicy {
  /** Keep per-speaker Ogg/Opus recordings of consenting speakers. */
  keepAudio: boolean;
  /** Days a meeting's recordings are kept after the last write. */
  retentionDays: number;
}

export interface RecordingPolicyWarning {
  code: 'RECORDING_POLICY_INVALID';
  field: 'recording' | 'keepAudio' | 'retentionDays';
  message: string;
}

export const DEFAULT_RECORDING_POLICY: Readonly<RecordingPolicy> = Object.freeze({ keepAudio: false, retentionDays: 30 });

const keepAudio = z.boolean();
const retentionDays = z.number().int().min(1).max(3650);

export function recordingPolicy(
  settings: Record<string, unknown> | null | undefined,
  warn?: (warning: RecordingPolicyWarning) => void,
): RecordingPolicy {
  const policy = { ...DEFAULT_RECORDING_POLICY };
  const raw = settings?.recording;
  if (raw === undefined || raw === null) return policy;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    warn?.({ code: 'RECORDING_POLICY_INVALID', field: 'recording', message: 'settings.recording must be an object { keepAudio, retentionDays }; recording stays off' });
    return policy;
  }
  const r = raw as Record<string, unknown>;
  if (r.keepAudio !== undefined) {
    const k = keepAudio.safeParse(r.keepAudio);
    if (k.success) policy.keepAudio = k.data;
    else warn?.({ code: 'RECORDING_POLICY_INVALID', field: 'keepAudio', message: `settings.recording.keepAudio must be true or false, got ${JSON.stringify(r.keepAudio)}; recording stays off` });
  }
  if (r.retentionDays !== undefined) {
    const d = retentionDays.safeParse(r.retentionDays);
    if (d.success) policy.retentionDays = d.data;
    else warn?.({ code: 'RECORDING_POLICY_INVALID', field: 'retentionDays', message: `settings.recording.retentionDays must be a whole number of days from 1 to 3650, got ${JSON.stringify(r.retentionDays)}; using ${DEFAULT_RECORDING_POLICY.retentionDays}` });
  }
  return policy;
}
