/**
 * Sparse binary logistic regression trained with Adagrad + L2. Small and
 * dependency-free; good enough for ~100k segments × a few dozen features.
 */

export interface Sample {
  features: Int32Array;
  label: 0 | 1;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Weight of a positive example's loss (positives are rare). */
  positiveWeight: number;
  seed: number;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 8, learningRate: 0.1, l2: 1e-5, positiveWeight: 5, seed: 7 };

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function trainLogReg(samples: readonly Sample[], dims: number, opts: TrainOptions = DEFAULT_TRAIN): Float64Array {
  const w = new Float64Array(dims);
  const g2 = new Float64Array(dims).fill(1e-8);
  const order = samples.map((_, i) => i);
  const rand = rng(opts.seed);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const s = samples[idx]!;
      let z = 0;
      for (const f of s.features) z += w[f]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - s.label) * (s.label === 1 ? opts.positiveWeight : 1);
      for (const f of s.features) {
        const grad = g + opts.l2 * w[f]!;
        g2[f]! += grad * grad;
        w[f]! -= (opts.learningRate * grad) / Math.sqrt(g2[f]!);
      }
    }
  }
  return w;
}

export function predict(w: Float64Array, features: Int32Array): number {
  let z = 0;
  for (const f of features) z += w[f]!;
  return 1 / (1 + Math.exp(-z));
}
