import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isMinutesError } from '../../core/errors.ts';
import { decodeAudioFile } from '../../core/asr/files.ts';
import { normalizeForWer } from '../../core/asr/wer.ts';
import { createTranscriberFromConfig, resolveAsrEngine, type AsrConfig } from './factory.ts';
import { detectPocketsphinx, parsePocketsphinxOutput, PocketsphinxTranscriber } from './PocketsphinxTranscriber.ts';

const clip = new URL('../../test/fixtures/audio/ljspeech_LJ002-0020.wav', import.meta.url);
const none: AsrConfig = { ASR_ENGINE: 'auto', ASR_MODEL: undefined, ASR_BASE_URL: undefined, ASR_API_KEY: undefined, OPENAI_API_KEY: undefined };
const installed = () => ({ available: true, binary: '/usr/bin/pocketsphinx_continuous', message: 'ok' });
const missing = () => ({ available: false, binary: null, message: 'pocketsphinx is not installed: install it with apt-get install pocketsphinx pocketsphinx-en-us' });

describe('offline engine: pocketsphinx', () => {
  it('parses `-time yes` output into utterances with word times, dropping fillers and alternate-pronunciation marks', () => {
    const out = [
      'the eighteen thirteen', '<s> 0.000 0.060 1.000000', 'the(2) 0.070 0.210 0.166675', '<sil> 0.220 0.300 1.0',
      'eighteen 0.310 0.690 0.677975', '[NOISE] 0.700 0.710 0.5', 'thirteen 0.720 1.430 0.884428', '</s> 1.440 1.520 1.000000',
      'next one', '<s> 2.000 2.100 1.0', 'next 2.100 2.400 0.5', 'one 2.400 2.900 0.7', '</s> 2.900 3.000 1.0',
    ].join('\n');
    const segments = parsePocketsphinxOutput(out);
    expect(segments.map((s) => [s.text, s.startMs, s.endMs])).to.deep.equal([['the eighteen thirteen', 70, 1430], ['next one', 2100, 2900]]);
    expect(segments[0]!.words!.map((w) => w.word)).to.deep.equal(['the', 'eighteen', 'thirteen']);
    expect(segments[1]!.confidence).to.be.closeTo(0.6, 1e-9);
  });

  it('transcribes the LJSpeech clip recognisably (skipped only when pocketsphinx cannot be installed)', async function () {
    this.timeout(60_000);
    const found = detectPocketsphinx();
    if (!found.available) {
      console.warn(`      skipped: ${found.message}`);
      this.skip();
    }
    const engine = new PocketsphinxTranscriber();
    const result = await engine.transcribe({ pcm: await decodeAudioFile(readFileSync(clip)), sampleRate: 16000 });
    expect(result.engine).to.equal('pocketsphinx');
    expect(engine.quality).to.equal('low');
    // Reference: "IN EIGHTEEN THIRTEEN".
    const words = normalizeForWer(result.segments.map((s) => s.text).join(' '));
    expect(words).to.include.members(['eighteen', 'thirteen']);
    const first = result.segments[0]!;
    expect(first.startMs).to.be.within(0, 400);
    expect(first.endMs).to.be.within(1000, 1540);
  });

  it('says clearly how to install it when it is missing', async () => {
    const err = await new PocketsphinxTranscriber({ binary: 'pocketsphinx_continuous_not_here' }).transcribe({ pcm: new Int16Array(160), sampleRate: 16000 }).then(() => null, (e: unknown) => e);
    expect(isMinutesError(err, 'ASR_UNAVAILABLE')).to.equal(true);
    expect((err as Error).message).to.contain('apt-get install pocketsphinx pocketsphinx-en-us');
    const report = detectPocketsphinx({ PATH: '/nonexistent' });
    expect(report).to.include({ available: false, binary: null });
    expect(report.message).to.contain('scripts/setup-audio.sh');
  });
});

describe('choosing the engine from the config', () => {
  it('auto: OpenAI with a key, else the compatible server, else pocketsphinx when installed', () => {
    expect(resolveAsrEngine({ ...none, OPENAI_API_KEY: 'sk', ASR_BASE_URL: 'http://localhost:8000/v1' }, { detect: installed })).to.equal('openai');
    expect(resolveAsrEngine({ ...none, ASR_BASE_URL: 'http://localhost:8000/v1' }, { detect: installed })).to.equal('openai-compatible');
    expect(resolveAsrEngine(none, { detect: installed })).to.equal('pocketsphinx');
    expect(resolveAsrEngine({ ...none, OPENAI_API_KEY: 'sk' }, { engine: 'pocketsphinx' })).to.equal('pocketsphinx');
  });

  it('builds each engine with its model and name', () => {
    expect(createTranscriberFromConfig({ ...none, OPENAI_API_KEY: 'sk' }).name).to.equal('openai:whisper-1');
    expect(createTranscriberFromConfig({ ...none, OPENAI_API_KEY: 'sk', ASR_MODEL: 'gpt-4o-transcribe' }).name).to.equal('openai:gpt-4o-transcribe');
    const local = createTranscriberFromConfig({ ...none, ASR_ENGINE: 'openai-compatible', ASR_BASE_URL: 'http://localhost:8000/v1', ASR_MODEL: 'small' });
    expect(local.name).to.equal('openai-compatible:small');
    const sphinx = createTranscriberFromConfig(none, { engine: 'pocketsphinx', detect: installed });
    expect([sphinx.name, sphinx.quality]).to.deep.equal(['pocketsphinx', 'low']);
  });

  it('is ASR_UNAVAILABLE, naming every way to get an engine, when there is none', () => {
    const attempt = (config: AsrConfig, engine?: 'openai' | 'openai-compatible' | 'pocketsphinx') => {
      try {
        createTranscriberFromConfig(config, { detect: missing, ...(engine ? { engine } : {}) });
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected ASR_UNAVAILABLE');
    };
    const auto = attempt(none);
    expect(isMinutesError(auto, 'ASR_UNAVAILABLE')).to.equal(true);
    expect(auto.message).to.contain('OPENAI_API_KEY').and.contain('ASR_BASE_URL').and.contain('apt-get install pocketsphinx');
    expect(attempt(none, 'openai').message).to.contain('needs OPENAI_API_KEY');
    expect(attempt(none, 'openai-compatible').message).to.contain('needs ASR_BASE_URL');
    expect(attempt(none, 'pocketsphinx').message).to.contain('not installed');
  });
});
