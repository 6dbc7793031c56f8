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

describe('AutoMinutes with a job queue', () => {
  it('turns one meeting.ended heard by two instances into one job, and settles with the minutes', async () => {
    const { InProcessJobQueue } = await import('../jobs/InProcessJobQueue.ts');
    const bus = new InProcessEventBus();
    const jobs = new InProcessJobQueue({ defaultBackoffMs: 5 });
    const generated: string[] = [];
    const minutesOf = { provenance: { analyzer: 'offline' } } as unknown as GeneratedMinutes['minutes'];
    jobs.handle<{ meetingId: string }>('minutes.generate', async ({ meetingId }) => {
      generated.push(meetingId);
      await bus.publish({ type: 'minutes.ready', meeting: { ...meeting, id: meetingId }, minutes: minutesOf });
    });
    await jobs.start();
    const deps = { bus, jobs, logger: capture().logger, minutes: { generate: async () => ({}) as GeneratedMinutes, bundle: async (id: string) => ({ meeting: { id } }) as never } };
    const a = new AutoMinutes(deps).start();
    const b = new AutoMinutes(deps).start();
    const ended = { ...meeting, endedAt: new Date('2026-11-25T10:00:00Z') } as Meeting;
    await bus.publish({ type: 'meeting.ended', meeting: ended });
    const result = await a.settled('m-1');
    expect(result?.minutes).to.equal(minutesOf);
    expect(result?.bundle).to.deep.equal({ meeting: { id: 'm-1' } });
    expect(await jobs.drained(2000)).to.equal(true);
    expect(generated).to.deep.equal(['m-1']);
    await a.stop();
    await b.stop();
    await jobs.close();
  });

  it('answers null when the queue refuses the job, and at stop()', async () => {
    const bus = new InProcessEventBus();
    const down = { enqueue: async () => Promise.reject(new Error('redis down')) };
    const auto = new AutoMinutes({ bus, jobs: down, logger: capture().logger, minutes: { generate: async () => ({}) as GeneratedMinutes, bundle: async () => ({}) as never } }).start();
    expect(await auto.trigger(meeting)).to.equal(null);
    const never = { enqueue: async () => ({ id: 'x', duplicate: false }) };
    const waiting = new AutoMinutes({ bus, jobs: never, logger: capture().logger, minutes: { generate: async () => ({}) as GeneratedMinutes, bundle: async () => ({}) as never } }).start();
    const pending = waiting.trigger(meeting);
    await waiting.stop();
    expect(await pending).to.equal(null);
  });
});
