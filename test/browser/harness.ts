/**
 * Browser test harness: Debian's Chromium (/usr/bin/chromium, installed by
 * scripts/setup-browser.sh) driven by playwright-core, with Chromium's fake
 * microphone fed from a speech WAV made at test time from the LJSpeech clip.
 * Screenshots go to test-artifacts/ (gitignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { encodeWav, readWav } from '../../core/asr/wav.ts';

export const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS_DIR = join(root, 'test-artifacts');
export const SPEECH_WAV = join(root, 'test/fixtures/audio/ljspeech_LJ002-0020.wav');

/** The flags every browser test runs with (plus the fake-capture file when given). */
export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  // What Playwright adds in its own headless mode (off here so that --headless=new is the only headless flag).
  '--hide-scrollbars', '--mute-audio',
];

let availability: { ok: true } | { ok: false; reason: string } | null = null;

/**
 * Makes sure Chromium is there, running scripts/setup-browser.sh once when it
 * is not. `ok: false` carries the reason a test should print when it skips.
 */
export function ensureChromium(): { ok: true } | { ok: false; reason: string } {
  if (availability) return availability;
  if (!existsSync(CHROMIUM)) {
    const run = spawnSync('bash', [join(root, 'scripts/setup-browser.sh')], { encoding: 'utf8', timeout: 10 * 60_000 });
    if (!existsSync(CHROMIUM)) {
      const why = (run.stderr || run.error?.message || '').trim().split('\n').slice(-2).join(' ');
      return (availability = { ok: false, reason: `${CHROMIUM} is missing and scripts/setup-browser.sh could not install it${why ? `: ${why}` : ''}` });
    }
  }
  return (availability = { ok: true });
}

/**
 * A WAV for --use-file-for-fake-audio-capture: 48 kHz, 16-bit PCM, mono, the
 * speech clip between `leadMs` and `tailMs` of silence, written to a temp dir.
 * Chromium 156 takes 16-bit PCM WAV at any rate (the 16 kHz fixture as-is
 * works too) and converts it to the fake device's format, which headless on
 * this machine reports as 44.1 kHz stereo (so the page's worklet
 * downsamples 44.1 → 16 kHz here, 48 → 16 kHz on most real microphones).
 * Chromium loops the file, so the tail is the pause that ends each utterance.
 */
export function makeFakeMicWav(options: { leadMs?: number; tailMs?: number; dir?: string } = {}): string {
  const { sampleRate, channels, samples } = readWav(readFileSync(SPEECH_WAV));
  const mono = new Float32Array(samples.length / channels);
  for (let i = 0; i < mono.length; i++) {
    let x = 0;
    for (let c = 0; c < channels; c++) x += samples[i * channels + c]!;
    mono[i] = x / channels;
  }
  const OUT = 48_000;
  const lead = Math.round(((options.leadMs ?? 500) * OUT) / 1000);
  const tail = Math.round(((options.tailMs ?? 2500) * OUT) / 1000);
  const n = Math.floor((mono.length * OUT) / sampleRate);
  const out = new Int16Array(lead + n + tail);
  for (let i = 0; i < n; i++) {
    // Linear interpolation is enough here: the page downsamples to 16 kHz again.
    const t = (i * sampleRate) / OUT;
    const k = Math.floor(t);
    const a = mono[k]!;
    const b = mono[k + 1] ?? a;
    const v = a + (b - a) * (t - k);
    out[lead + i] = Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
  }
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'minutes-fake-mic-'));
  const path = join(dir, 'speech-48k.wav');
  writeFileSync(path, encodeWav(out, OUT, 1));
  return path;
}

export interface LaunchedBrowser {
  browser: Browser;
  /** A fresh context (own cookies and storage) with the microphone granted for `origin`. */
  newContext(origin?: string): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launches /usr/bin/chromium headless with CHROMIUM_ARGS. Playwright gives
 * each launch a fresh temporary user-data-dir (it refuses --user-data-dir in
 * args) and deletes it on close.
 */
export async function launchBrowser(options: { fakeAudioWav?: string; extraArgs?: string[] } = {}): Promise<LaunchedBrowser> {
  const args = [...CHROMIUM_ARGS, ...(options.fakeAudioWav ? [`--use-file-for-fake-audio-capture=${options.fakeAudioWav}`] : []), ...(options.extraArgs ?? [])];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: false, args, timeout: 60_000 });
  return {
    browser,
    async newContext(origin) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
      if (origin) await context.grantPermissions(['microphone'], { origin });
      return context;
    },
    close: () => browser.close(),
  };
}

/** Saves a full-page screenshot as test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects the page's console errors and uncaught exceptions (a test can assert there were none). */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

export interface TestServer {
  server: Server;
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

/**
 * Listens on a random loopback port. Takes an Express app (or any request
 * listener); upgrade handlers (WebSocket servers) attach to `server` after.
 */
export async function startTestServer(app: RequestListener | { listen: (port: number, host: string, cb: () => void) => Server }): Promise<TestServer> {
  const server = await new Promise<Server>((resolve) => {
    if ('listen' in app) {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    } else {
      void import('node:http').then(({ createServer }) => {
        const s = createServer(app).listen(0, '127.0.0.1', () => resolve(s));
      });
    }
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    server,
    base,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Removes a temp dir made for a test (fake-mic WAVs). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
