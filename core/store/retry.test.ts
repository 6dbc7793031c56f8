import { expect } from 'chai';
import { MinutesError } from '../errors.ts';
import { rejection } from '../../test/support/rejection.ts';
import { testCore } from '../../test/support/core.ts';
import { MeetingService } from '../meetings/MeetingService.ts';
import { isTransientDbError, withDbRetry } from './retry.ts';

const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
const instant = async () => undefined;

describe('isTransientDbError', () => {
  it('recognises a server or connection going away', () => {
    for (const code of ['57P01', '57P02', '57P03', '08001', '08003', '08006', 'ECONNREFUSED', 'ECONNRESET']) {
      expect(isTransientDbError(pgError(code)), code).to.equal(true);
    }
    expect(isTransientDbError(new Error('Connection terminated unexpectedly'))).to.equal(true);
    expect(isTransientDbError(Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }))).to.equal(true);
    expect(isTransientDbError(new AggregateError([pgError('ECONNREFUSED')], 'connect failed'))).to.equal(true);
  });

  it('looks through the cause chain (a store error wrapping the driver error)', () => {
    const wrapped = new MinutesError('STORE_UNAVAILABLE', 'write failed', { cause: pgError('57P01', 'terminating connection due to administrator command') });
    expect(isTransientDbError(wrapped)).to.equal(true);
  });

  it('leaves real write errors alone', () => {
    expect(isTransientDbError(pgError('23505', 'duplicate key value violates unique constraint'))).to.equal(false);
    expect(isTransientDbError(pgError('22P02', 'invalid input syntax for type uuid'))).to.equal(false);
    expect(isTransientDbError(new MinutesError('MEETING_NOT_ACCEPTING_SEGMENTS', 'ended'))).to.equal(false);
    expect(isTransientDbError(null)).to.equal(false);
    expect(isTransientDbError('ECONNRESET')).to.equal(false);
  });
});

describe('withDbRetry', () => {
  it('retries transient failures with growing, capped, jittered delays until it succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await withDbRetry(async (attempt) => {
      calls++;
      if (attempt < 5) throw pgError('ECONNREFUSED');
      return 'stored';
    }, { baseMs: 100, maxMs: 500, random: () => 0.5, sleep: instant, onRetry: ({ delayMs }) => delays.push(delayMs) });
    expect(value).to.equal('stored');
    expect(calls).to.equal(5);
    // Equal jitter at 0.5: three quarters of each step; steps 100, 200, 400, then capped at 500.
    expect(delays).to.deep.equal([75, 150, 300, 375]);
  });

  it('keeps each delay between half the step and the step', async () => {
    const seen: number[][] = [];
    for (const r of [0, 0.999]) {
      const delays: number[] = [];
      await rejection(withDbRetry(async () => { throw pgError('57P03'); }, { attempts: 4, baseMs: 100, random: () => r, sleep: instant, onRetry: ({ delayMs }) => delays.push(delayMs) }));
      seen.push(delays);
    }
    expect(seen[0]).to.deep.equal([50, 100, 200]);
    expect(seen[1]).to.deep.equal([100, 200, 400]);
  });

  it('throws the last error once the tries run out', async () => {
    let calls = 0;
    const err = await rejection(withDbRetry(async () => { calls++; throw pgError('08006', `try ${calls}`); }, { attempts: 3, sleep: instant }));
    expect(calls).to.equal(3);
    expect((err as Error).message).to.equal('try 3');
  });

  it('does not retry an error that is not transient', async () => {
    let calls = 0;
    const err = await rejection(withDbRetry(async () => { calls++; throw pgError('23505'); }, { sleep: instant }));
    expect(calls).to.equal(1);
    expect((err as { code: string }).code).to.equal('23505');
  });

  it('stops waiting when aborted, with the abort reason', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = withDbRetry(async () => { calls++; throw pgError('ECONNRESET'); }, { baseMs: 60_000, maxMs: 60_000, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort(new Error('shutting down'));
    const err = await rejection(pending);
    expect((err as Error).message).to.equal('shutting down');
    expect(calls).to.equal(1);
  });
});

describe('MeetingService.appendSegments through a database outage', () => {
  const seg = (i: number) => ({ speaker: 'Ada', startMs: i * 1000, endMs: i * 1000 + 900, text: `line ${i}`, source: 'ingest:bot', sourceSeq: i });

  it('retries a write that failed on a dropped connection and stores the batch once', async () => {
    const core = await testCore('retry');
    const retries: number[] = [];
    const service = new MeetingService({ stores: core.stores, bus: core.bus, logger: core.logger, appendRetry: { sleep: instant, onRetry: ({ attempt }) => retries.push(attempt) } });
    const meeting = await service.startMeeting((await service.createMeeting({ organizationId: core.org.id, platform: 'ingest', title: 'Outage' })).id);
    const append = core.stores.transcripts.append.bind(core.stores.transcripts);
    let calls = 0;
    core.stores.transcripts.append = async (id, rows, reserved) => {
      calls++;
      // The first try commits, then the connection drops before the answer: ambiguous to the caller.
      if (calls === 1) {
        await append(id, rows, reserved);
        throw pgError('57P01', 'terminating connection due to administrator command');
      }
      if (calls === 2) throw pgError('ECONNREFUSED');
      return append(id, rows, reserved);
    };
    const result = await service.appendSegments(meeting.id, [seg(1), seg(2), seg(3)]);
    expect(retries).to.deep.equal([1, 2]);
    expect(result.duplicates).to.equal(3);
    expect(await core.stores.transcripts.count(meeting.id)).to.equal(3);
  });

  it('does not retry a refused write (meeting ended) nor when turned off', async () => {
    const core = await testCore('retry-off');
    const service = new MeetingService({ stores: core.stores, bus: core.bus, logger: core.logger, appendRetry: false });
    const meeting = await service.startMeeting((await service.createMeeting({ organizationId: core.org.id, platform: 'ingest', title: 'Off' })).id);
    let calls = 0;
    core.stores.transcripts.append = async () => {
      calls++;
      throw pgError('ECONNREFUSED');
    };
    await rejection(service.appendSegments(meeting.id, [seg(1)]));
    expect(calls).to.equal(1);
    await service.endMeeting(meeting.id);
    const err = await rejection(new MeetingService({ stores: core.stores, bus: core.bus, logger: core.logger, appendRetry: { sleep: instant } }).appendSegments(meeting.id, [seg(2)]));
    expect((err as MinutesError).code).to.equal('MEETING_NOT_ACCEPTING_SEGMENTS');
  });
});
