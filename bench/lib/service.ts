import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The real service (`node --import tsx bot/main.ts`) as a child process, for
 * benchmarks and the fault suite: same entry point and config parsing as
 * production, its output kept in a log file to show when something fails.
 */

/** The checkout whose service runs: this one, or SERVICE_ROOT (another checkout, e.g. a known-good snapshot). */
const ROOT = process.env.SERVICE_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));

/** A port free right now on 127.0.0.1 (the service restarts on the same one, so clients reconnect to it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Variables that would turn on real platforms or vendors; blanked so a developer's shell cannot leak them in. */
const BLANKED = [
  'DISCORD_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET',
  'SLACK_TOKEN_KEY', 'TEAMS_APP_ID', 'TEAMS_APP_PASSWORD', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'OPENAI_COMPATIBLE_BASE_URL',
  'OPENAI_COMPATIBLE_MODEL', 'OPENAI_COMPATIBLE_API_KEY', 'ASR_BASE_URL', 'ASR_API_KEY', 'PUBLIC_URL', 'METRICS_TOKEN',
];

export interface ServiceOptions {
  port: number;
  env: Record<string, string>;
  /** Appended to across restarts. */
  logFile: string;
  label?: string;
}

/** How a stopped process ended and how long it took from the signal. */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** It did not exit by itself within the wait and was killed with SIGKILL. */
  forced: boolean;
}

export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  private log: WriteStream;
  readonly url: string;

  constructor(private readonly options: ServiceOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the service and resolves once GET /health answers (ms it took). */
  async start(timeoutMs = 60_000): Promise<number> {
    if (this.running) throw new Error('service already running');
    const t0 = performance.now();
    const blank = Object.fromEntries(BLANKED.map((k) => [k, '']));
    const env = { ...process.env, ...blank, NODE_ENV: 'production', LOG_FORMAT: 'json', HOST: '127.0.0.1', PORT: String(this.options.port), ...this.options.env };
    this.log.write(`\n=== ${new Date().toISOString()} start ${this.options.label ?? ''} on :${this.options.port}\n`);
    const child = spawn(process.execPath, [...(process.env.SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'bot/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.log.write(`=== exit code=${code} signal=${signal}\n`);
      resolve({ code, signal });
    }));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`service exited during start; log ${this.options.logFile}:\n${this.tail()}`);
      if (await healthy(this.url)) return performance.now() - t0;
      await sleep(100);
    }
    throw new Error(`service not healthy after ${timeoutMs} ms; log ${this.options.logFile}:\n${this.tail()}`);
  }

  /** kill -9: nothing runs after it, whatever it held in memory is gone. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  /** Graceful stop (SIGTERM), kill -9 after `timeoutMs`; null when nothing was running. */
  async stop(timeoutMs = 15_000): Promise<ServiceExit | null> {
    const child = this.child;
    if (!child) return null;
    const t0 = performance.now();
    if (this.running) child.kill('SIGTERM');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    this.child = null;
    return { code, signal, ms: performance.now() - t0, forced };
  }

  /** Last lines of the log, to explain a failure. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  close(): void {
    this.log.end();
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
