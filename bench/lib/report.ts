import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Small helpers shared by benchmarks: latency statistics, a goal line in the
 * fixed `name: value (goal OP target) met|missed` form, and the JSON copy.
 */

/** Linear-interpolated percentile (p in 0..100) of unsorted values; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const n = values.length;
  return {
    n,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    mean: n ? values.reduce((a, b) => a + b, 0) / n : Number.NaN,
    max: n ? Math.max(...values) : Number.NaN,
  };
}

/** Rounds for display: 3 significant digits below 100, integers above. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

export function fmtLatency(s: LatencySummary): string {
  return `n=${s.n} p50=${fmt(s.p50)} ms p95=${fmt(s.p95)} ms p99=${fmt(s.p99)} ms max=${fmt(s.max)} ms`;
}

export type GoalOp = '>=' | '>' | '<=' | '<';

export interface Goal {
  name: string;
  value: number;
  op: GoalOp;
  target: number;
  /** Free text kept in the JSON copy (what was compared, on how many samples). */
  note?: string;
  /** `yesno`: a pass/fail goal kept as 1/0 (`op '>=', target 1`), printed `yes (goal yes)`. */
  format?: 'yesno';
}

export function goalMet(g: Goal): boolean {
  if (!Number.isFinite(g.value)) return false;
  switch (g.op) {
    case '>=': return g.value >= g.target;
    case '>': return g.value > g.target;
    case '<=': return g.value <= g.target;
    case '<': return g.value < g.target;
  }
}

/** `fts_p95_ms: 8.1 (goal < 20) met` */
export function goalLine(g: Goal): string {
  if (g.format === 'yesno') return `${g.name}: ${g.value >= 1 ? 'yes' : 'no'} (goal yes) ${goalMet(g) ? 'met' : 'missed'}`;
  return `${g.name}: ${fmt(g.value)} (goal ${g.op} ${g.target}) ${goalMet(g) ? 'met' : 'missed'}`;
}

/** Collects measurement lines and goals; prints goals last, one per line. */
export class Report {
  readonly goals: Goal[] = [];
  readonly data: Record<string, unknown> = {};

  line(text: string): void {
    console.log(text);
  }

  set(key: string, value: unknown): void {
    this.data[key] = value;
  }

  goal(g: Goal): void {
    this.goals.push(g);
  }

  printGoals(): void {
    for (const g of this.goals) console.log(goalLine(g));
  }

  writeJson(path: string, extra: Record<string, unknown> = {}): void {
    mkdirSync(dirname(path), { recursive: true });
    const goals = this.goals.map((g) => ({ ...g, met: goalMet(g) }));
    writeFileSync(path, JSON.stringify({ ...extra, ...this.data, goals }, null, 2) + '\n');
  }
}

export const ms = (start: number): number => performance.now() - start;

/** A non-negative whole number from the environment (benchmark knobs), or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return Math.floor(n);
}
