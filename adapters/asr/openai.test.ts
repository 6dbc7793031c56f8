import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMinutesError } from '../../core/errors.ts';
import { encodeWav } from '../../core/asr/wav.ts';
import { OpenAICompatibleTranscriber, OpenAITranscriber } from './OpenAITranscriber.ts';
import { rejection } from '../../test/support/rejection.ts';

/**
 * A local server speaking OpenAI's transcription API: multipart/form-data in
 * (parsed with the platform's own FormData parser), JSON out. No network.
 */
interface Received { path: string; auth: string | undefined; form: FormData }
type Handler = (req: Received, res: ServerResponse) => void;

async function startServer(handler: Handler): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData().then((form) => {
        const r = { path: req.url ?? '', auth: req.headers.authorization, form };
        received.push(r);
        handler(r, res);
      }, () => res.writeHead(400).end('not multipart'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, received, server };
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const pcm = Int16Array.from({ length: 1600 }, (_, i) => Math.round(Math.sin(i / 5) * 1000));
const request = { pcm, sampleRate: 16000 as const, language: 'en', prompt: 'Acme, Bob' };

const VERBOSE = {
  task: 'transcribe', language: 'english', duration: 4.2, text: 'Hello Bob. Ship it Friday.',
  segments: [
    { id: 0, start: 0.0, end: 1.2, text: ' Hello Bob.', avg_logprob: -0.2, no_speech_prob: 0.01 },
    { id: 1, start: 1.4, end: 4.2, text: ' Ship it Friday.', avg_logprob: -0.1, no_speech_prob: 0.01 },
  ],
  words: [
    { word: 'Hello', start: 0.0, end: 0.5 }, { word: 'Bob', start: 0.6, end: 1.2 },
    { word: 'Ship', start: 1.4, end: 1.9 }, { word: 'it', start: 2.0, end: 2.2 }, { word: 'Friday', start: 2.4, end: 4.2 },
  ],
};


describe('OpenAI transcription engines (local server speaking the multipart API)', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => { s.closeAllConnections(); s.close(); }));
  const serve = async (handler: Handler) => {
    const s = await startServer(handler);
    servers.push(s.server);
    return s;
  };

  it('uploads the audio as a WAV file with model, verbose_json and word timestamps; parses segments and words', async () => {
    const s = await serve((_r, res) => json(res, 200, VERBOSE));
    const engine = new OpenAITranscriber({ apiKey: 'sk-test', baseURL: s.url, model: 'whisper-1', label: 'openai', maxRetries: 0 });
    const result = await engine.transcribe(request);

    const [r] = s.received;
    expect(r!.path).to.equal('/v1/audio/transcriptions');
    expect(r!.auth).to.equal('Bearer sk-test');
    expect(r!.form.get('model')).to.equal('whisper-1');
    expect(r!.form.get('response_format')).to.equal('verbose_json');
    expect(r!.form.getAll('timestamp_granularities[]')).to.deep.equal(['segment', 'word']);
    expect(r!.form.get('language')).to.equal('en');
    expect(r!.form.get('prompt')).to.equal('Acme, Bob');
    const file = r!.form.get('file') as File;
    expect(file.name).to.equal('audio.wav');
    expect(file.type).to.equal('audio/wav');
    expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), encodeWav(pcm, 16000))).to.equal(0);

    expect(result.engine).to.equal('openai:whisper-1');
    expect(result.language).to.equal('english');
    expect(result.segments.map((x) => [x.text, x.startMs, x.endMs])).to.deep.equal([['Hello Bob.', 0, 1200], ['Ship it Friday.', 1400, 4200]]);
    expect(result.segments[0]!.confidence).to.be.closeTo(Math.exp(-0.2), 1e-9);
    expect(result.segments[1]!.words!.map((w) => w.word)).to.deep.equal(['Ship', 'it', 'Friday']);
    expect(engine.quality).to.equal('high');
  });

  it('asks gpt-4o-transcribe for json and keeps the text as one segment over the request', async () => {
    const s = await serve((_r, res) => json(res, 200, { text: 'Ship it Friday.' }));
    const engine = new OpenAITranscriber({ apiKey: 'sk-test', baseURL: s.url, model: 'gpt-4o-transcribe', label: 'openai', maxRetries: 0 });
    const result = await engine.transcribe({ pcm, sampleRate: 16000 });
    expect(s.received[0]!.form.get('response_format')).to.equal('json');
    expect(s.received[0]!.form.has('timestamp_granularities[]')).to.equal(false);
    expect(result.segments).to.deep.equal([{ text: 'Ship it Friday.', startMs: 0, endMs: 100, confidence: null }]);
  });

  it('keeps speaker labels from a diarizing model', async () => {
    const s = await serve((_r, res) => json(res, 200, {
      text: 'Hi. Hello.',
      segments: [{ id: 'a', type: 'transcript.text.segment', speaker: 'A', start: 0, end: 0.5, text: 'Hi.' }, { id: 'b', type: 'transcript.text.segment', speaker: 'B', start: 0.6, end: 1, text: 'Hello.' }],
    }));
    const engine = new OpenAITranscriber({ apiKey: 'sk-test', baseURL: s.url, model: 'gpt-4o-transcribe-diarize', label: 'openai', maxRetries: 0 });
    const result = await engine.transcribe({ pcm, sampleRate: 16000 });
    expect(s.received[0]!.form.get('response_format')).to.equal('diarized_json');
    expect(s.received[0]!.form.get('chunking_strategy')).to.equal('auto');
    expect(result.segments.map((x) => x.speaker)).to.deep.equal(['A', 'B']);
  });

  it('talks to an OpenAI-compatible server by base URL, without a key', async () => {
    const s = await serve((r, res) => (r.path === '/v1/audio/transcriptions' ? json(res, 200, VERBOSE) : res.writeHead(404).end()));
    const engine = new OpenAICompatibleTranscriber({ baseURL: s.url, model: 'Systran/faster-whisper-small', maxRetries: 0 });
    const result = await engine.transcribe({ pcm, sampleRate: 16000 });
    expect(engine.name).to.equal('openai-compatible:Systran/faster-whisper-small');
    expect(s.received[0]!.form.get('model')).to.equal('Systran/faster-whisper-small');
    expect(s.received[0]!.form.get('response_format')).to.equal('verbose_json');
    expect(result.segments).to.have.length(2);
  });

  it('classifies 429, 500, 401 and a timeout into coded errors', async () => {
    const statuses: Record<string, number> = { '429': 429, '500': 500, '401': 401 };
    const s = await serve((r, res) => {
      const status = statuses[String(r.form.get('model'))];
      if (status) json(res, status, { error: { message: `status ${status}`, type: 'x' } });
      // model "slow": never answers
    });
    const call = (model: string, timeoutMs = 10_000) =>
      rejection(new OpenAITranscriber({ apiKey: 'sk', baseURL: s.url, model, label: 'openai', maxRetries: 0, timeoutMs }).transcribe({ pcm, sampleRate: 16000 }));
    const limited = await call('429');
    expect(isMinutesError(limited, 'PROVIDER_RATE_LIMITED'), String(limited)).to.equal(true);
    expect((limited as { details: Record<string, unknown> }).details).to.include({ retryable: true, status: 429 });
    expect(isMinutesError(await call('500'), 'PROVIDER_UNAVAILABLE')).to.equal(true);
    const auth = await call('401');
    expect(isMinutesError(auth, 'ASR_UNAVAILABLE')).to.equal(true);
    expect((auth as Error).message).to.contain('API key was rejected');
    expect(isMinutesError(await call('slow', 300), 'PROVIDER_TIMEOUT')).to.equal(true);
  });

  it('says a connection failure is PROVIDER_UNAVAILABLE', async () => {
    const s = await serve(() => undefined);
    s.server.close();
    await new Promise((r) => setTimeout(r, 10));
    const err = await rejection(new OpenAICompatibleTranscriber({ baseURL: s.url, maxRetries: 0 }).transcribe({ pcm, sampleRate: 16000 }));
    expect(isMinutesError(err, 'PROVIDER_UNAVAILABLE'), String(err)).to.equal(true);
  });
});
