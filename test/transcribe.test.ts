import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectPocketsphinx } from '../adapters/asr/PocketsphinxTranscriber.ts';

/**
 * `minutes transcribe` as a user runs it: a real process, the embedded
 * database, the offline engine on a real speech clip (LJSpeech LJ002-0020,
 * "in eighteen thirteen"; attribution in test/fixtures/audio/ATTRIBUTION.md).
 */
const root = new URL('..', import.meta.url).pathname;
const tsx = join(root, 'node_modules/.bin/tsx');
const fixture = (ext: string) => join(root, 'test/fixtures/audio', `ljspeech_LJ002-0020.${ext}`);

describe('command line: transcribe a recording (embedded PGlite)', function () {
  this.timeout(120_000);
  let dataDir: string;
  const noKeys = { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '', GEMINI_API_KEY: '', OPENAI_COMPATIBLE_BASE_URL: '', ASR_BASE_URL: '', ASR_API_KEY: '' };
  const env = () => ({ ...process.env, ...noKeys, ASR_ENGINE: 'auto', DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', PORT: '0' });
  const cli = (...args: string[]) => spawnSync(tsx, ['bot/cli.ts', ...args], { cwd: root, encoding: 'utf8', env: env() });

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'minutes-asr-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('turns an Ogg/Opus recording into a meeting with segments and minutes, naming the offline engine', function () {
    const found = detectPocketsphinx();
    if (!found.available) {
      console.warn(`      skipped: ${found.message}`);
      this.skip();
    }
    const r = cli('transcribe', fixture('ogg'), '--title', 'Prison history', '--engine', 'pocketsphinx');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('transcribing 00:01 of audio with pocketsphinx (offline, lower accuracy)');
    expect(r.stdout).to.match(/transcribed by pocketsphinx \(offline, lower accuracy\): 1 segment\(s\) from 1 speaker\(s\) as meeting [0-9a-f-]{36}/);
    expect(r.stdout).to.match(/^minutes: \d+ decision\(s\).* · by offline analyzer/m);
    const id = /as meeting ([0-9a-f-]{36})/.exec(r.stdout)![1]!;

    const show = cli('show', id);
    expect(show.stdout).to.contain('Prison history').and.contain('completed · import');
    expect(show.stdout).to.match(/\[00:00\] Speaker 1: .*eighteen thirteen/);

    const json = JSON.parse(cli('export', id, '--format', 'json').stdout) as { segments: { source?: string; speaker: string }[] };
    expect(json.segments.every((s) => s.speaker === 'Speaker 1')).to.equal(true);

    // The minutes say which engine produced the words, wherever they are read.
    expect(cli('summarize', id).stdout).to.contain('words transcribed by: pocketsphinx (offline, lower accuracy)');
    expect(cli('export', id, '--format', 'md').stdout).to.contain('**Words transcribed by:** pocketsphinx (offline, lower accuracy)');
  });

  it('stores nothing and exits 1 with a coded error for a truncated or unsupported file', () => {
    const cut = join(dataDir, 'cut.wav');
    writeFileSync(cut, readFileSync(fixture('wav')).subarray(0, 10_000));
    const truncated = cli('transcribe', cut, '--engine', 'pocketsphinx');
    expect(truncated.status).to.equal(1);
    expect(truncated.stderr).to.contain('AUDIO_MALFORMED').and.contain('truncated');

    const text = join(dataDir, 'notes.txt');
    writeFileSync(text, 'Alice: this is a transcript, not audio\n');
    const unsupported = cli('transcribe', text, '--engine', 'pocketsphinx');
    expect(unsupported.status).to.equal(1);
    expect(unsupported.stderr).to.contain('AUDIO_UNSUPPORTED_FORMAT').and.contain('supported formats: WAV');

    const big = spawnSync(tsx, ['bot/cli.ts', 'transcribe', fixture('wav'), '--engine', 'pocketsphinx'], { cwd: root, env: { ...env(), AUDIO_MAX_BYTES: '2048' }, encoding: 'utf8' });
    expect(big.status).to.equal(1);
    expect(big.stderr).to.contain('IMPORT_TOO_LARGE').and.contain('AUDIO_MAX_BYTES');

    expect(cli('list').stdout).not.to.contain('notes').and.not.to.contain('cut');
  });
});
