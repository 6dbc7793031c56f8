/**
 * Energy voice-activity detection on 20 ms frames: frame level in dBFS
 * against an adaptive noise floor. The floor drops at once to quieter frames
 * and rises slowly through non-speech, so steady background hum is learnt while
 * a talker's voice is not. Hangover bridges the short dips inside words.
 */
export interface VadOptions {
  /** How far above the noise floor a frame must be to be speech. */
  marginDb?: number;
  /** Frames quieter than this are never speech (digital near-silence). */
  minSpeechDb?: number;
  /** Frames still called speech after the level falls. */
  hangoverFrames?: number;
}

export class EnergyVad {
  private floorDb = -70;
  private hang = 0;
  private readonly margin: number;
  private readonly minDb: number;
  private readonly hangover: number;

  constructor(options: VadOptions = {}) {
    this.margin = options.marginDb ?? 12;
    this.minDb = options.minSpeechDb ?? -50;
    this.hangover = options.hangoverFrames ?? 5;
  }

  /** Speech or not for one frame of 16-bit samples. */
  frame(samples: Int16Array, from = 0, to = samples.length): boolean {
    let energy = 0;
    for (let i = from; i < to; i++) energy += samples[i]! * samples[i]!;
    const n = to - from;
    const db = n === 0 || energy === 0 ? -100 : 10 * Math.log10(energy / n / (32768 * 32768));
    const loud = db > this.floorDb + this.margin && db > this.minDb;
    if (db < this.floorDb) this.floorDb = Math.max(db, -90);
    else if (!loud) this.floorDb += 0.05 * (db - this.floorDb);
    else this.floorDb += 0.01; // ~0.5 dB/s: a constant loud noise becomes floor in ~20 s
    if (loud) this.hang = this.hangover;
    else if (this.hang > 0) this.hang--;
    return loud || this.hang > 0;
  }

  get noiseFloorDb(): number {
    return this.floorDb;
  }
}
