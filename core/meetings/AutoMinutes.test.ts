import { expect } from 'chai';
import { Writable } from 'node:stream';
import { InProcessEventBus } from '../bus/InProcessEventBus.ts';
import { createLogger } from '../logger.ts';
import type { Meeting } from '../types.ts';
import { AutoMinutes } from './AutoMinutes.ts';
import type { GeneratedMinutes } from './MinutesService.ts';

const meeting = { id: 'm-1', platform: 'discord' } as Meeting;

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { lines, logger: createLogger({ level: 'info', destination: stream }) };
}

describe('AutoMinutes', () => {
  it('does not hold up the publisher while minutes are written', async () => {
    const bus = new InProcessEventBus();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const auto = new AutoMinutes({ bus, logger: capture().logger, minutes: { generate: async (id) => (calls.push(id), await gate, {} as GeneratedMinutes) } }).start();
    await bus.publish({ type: 'meeting.ended', meeting });
    expect(calls).to.deep.equal(['m-1']);
    let done = false;
    void auto.settled('m-1').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).to.equal(false);
    release();
    expect(await auto.settled('m-1')).to.deep.equal({});
    await auto.stop();
  });

  it('logs a failure on the meeting\'s logger and never rethrows it', async () => {
    const bus = new InProcessEventBus();
    const { lines, logger } = capture();
    const auto = new AutoMinutes({ bus, logger, minutes: { generate: async () => Promise.reject(new Error('disk full')) } }).start();
    await bus.publish({ type: 'transcript.imported', meeting, segmentCount: 3 });
    expect(await auto.settled('m-1')).to.equal(null);
    const line = lines.find((l) => l.msg === 'automatic minutes failed');
    expect(line).to.include({ meetingId: 'm-1', platform: 'discord' });
    expect((line!.err as { message: string }).message).to.equal('disk full');
  });

  it('stop() cancels running generations and waits for them; later events are ignored', async () => {
    const bus = new InProcessEventBus();
    const { lines, logger } = capture();
    const seen: AbortSignal[] = [];
    const generate = (_id: string, o: { signal?: AbortSignal } = {}) => new Promise<GeneratedMinutes>((_, reject) => {
      seen.push(o.signal!);
      o.signal!.addEventListener('abort', () => reject(o.signal!.reason));
    });
    const auto = new AutoMinutes({ bus, logger, minutes: { generate } }).start();
    await bus.publish({ type: 'meeting.ended', meeting });
    await auto.stop();
    expect(seen[0]!.aborted).to.equal(true);
    expect(lines.map((l) => l.msg)).to.include('automatic minutes cancelled by shutdown');
    await bus.publish({ type: 'meeting.ended', meeting });
    expect(seen).to.have.length(1);
  });
});
