import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Reads a running service's /metrics (loopback needs no token) every second
 * while load runs: where its time goes. Event-loop delay (prom-client's
 * monitorEventLoopDelay gauges, reset at each scrape, so each sample is the
 * last second's), database pool acquires waiting, and CPU used.
 */

export interface ProcessLoad {
  label: string;
  samples: number;
  /** Cores used over the window (process_cpu_seconds_total). */
  cpuCores: number;
  /** Per-second event-loop delay p99, ms: mean and max over the window. */
  lagP99Ms: { mean: number; max: number };
  /** minutes_db_pool_connections{state="pending"}: mean and max. */
  poolPending: { mean: number; max: number };
  /** minutes_db_pool_connections{state="used"}: max. */
  poolUsedMax: number;
}

/** `name{labels} value` of a Prometheus text answer (first match). */
export function metric(text: string, name: string, labels = ''): number {
  const re = new RegExp(`^${name}${labels ? `\\{[^}]*${labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^}]*\\}` : '(\\{[^}]*\\})?'} ([0-9.eE+-]+|NaN)$`, 'm');
  const m = re.exec(text);
  return m ? Number(m[2] ?? m[1]) : Number.NaN;
}

async function scrape(url: string): Promise<string | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 ? await res.text() : null;
  } catch {
    return null;
  }
}

const stats = (values: number[]) => {
  const ok = values.filter(Number.isFinite);
  return { mean: ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN, max: ok.length ? Math.max(...ok) : Number.NaN };
};

/** Scrapes `url` each `everyMs` until `stop()`, which summarises the samples taken. */
export function watchProcess(label: string, url: string, everyMs = 1000): { stop(): Promise<ProcessLoad> } {
  let running = true;
  const lag: number[] = [];
  const pending: number[] = [];
  const used: number[] = [];
  const cpu: { at: number; s: number }[] = [];
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const text = await scrape(url);
      if (text) {
        lag.push(metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000);
        pending.push(metric(text, 'minutes_db_pool_connections', 'state="pending"'));
        used.push(metric(text, 'minutes_db_pool_connections', 'state="used"'));
        cpu.push({ at: performance.now(), s: metric(text, 'process_cpu_seconds_total') });
      }
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (performance.now() - t))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const first = cpu[0];
      const last = cpu[cpu.length - 1];
      return {
        label, samples: lag.length,
        cpuCores: first && last && last.at > first.at ? (last.s - first.s) / ((last.at - first.at) / 1000) : Number.NaN,
        lagP99Ms: stats(lag), poolPending: stats(pending), poolUsedMax: stats(used).max,
      };
    },
  };
}

/** Machine CPU and the Postgres server's share of it, from /proc (Linux; zeros elsewhere). */
export interface CpuSnapshot {
  at: number;
  busy: number;
  total: number;
  postgres: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const at = performance.now();
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3]! + (cpu[4] ?? 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    let postgres = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm !== 'postgres' && !comm.startsWith('postgres:')) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        postgres += Number(fields[11]) + Number(fields[12]);
      } catch {
        // Gone between the listing and the read.
      }
    }
    return { at, busy: total - idle, total, postgres };
  } catch {
    return { at, busy: 0, total: 0, postgres: 0 };
  }
}

/** Cores busy on the machine and cores used by Postgres between two snapshots. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): { machineCores: number; postgresCores: number; cores: number } {
  const cores = cpus().length;
  const share = b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : Number.NaN;
  // /proc/[pid]/stat counts clock ticks (100 a second on Linux).
  const seconds = (b.at - a.at) / 1000;
  return { machineCores: share * cores, postgresCores: (b.postgres - a.postgres) / 100 / seconds, cores };
}
