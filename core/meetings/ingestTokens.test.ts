import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { describeEachBackend } from '../../test/support/databases.ts';
import { MinutesError } from '../errors.ts';
import { IngestTokens } from './ingestTokens.ts';

async function refusal(p: Promise<unknown>): Promise<MinutesError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(MinutesError);
    return err as MinutesError;
  }
  throw new Error('expected a refusal');
}

describeEachBackend('IngestTokens', (ctx) => {
  let clock: number;
  let tokens: IngestTokens;
  beforeEach(() => {
    clock = Date.parse('2026-12-01T10:00:00Z');
    tokens = new IngestTokens(ctx.db.knex, { now: () => new Date(clock) });
  });
  const meeting = () => ctx.service.createMeeting({ organizationId: ctx.org.id, title: 'Standup', platform: 'teams' });

  it('issues an opaque token that verifies to its meeting; only its hash is stored', async () => {
    const m = await meeting();
    const token = await tokens.issue(m.id, { ttlMs: 60_000, createdBy: 'teams' });
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(await tokens.verify(token)).to.equal(m.id);
    const rows = await ctx.db.knex('ingest_tokens').where({ meeting_id: m.id });
    expect(rows).to.have.length(1);
    expect(rows[0].token_hash).to.match(/^[0-9a-f]{64}$/);
    expect(rows[0].created_by).to.equal('teams');
    expect(JSON.stringify(rows)).to.not.contain(token);
  });

  it('refuses unknown, expired and revoked tokens with AUTH_INVALID', async () => {
    const m = await meeting();
    const token = await tokens.issue(m.id, { ttlMs: 60_000 });
    for (const bad of ['', 'x'.repeat(500), 'nope', `${token}x`]) {
      expect((await refusal(tokens.verify(bad))).code).to.equal('AUTH_INVALID');
    }
    clock += 60_000;
    const expired = await refusal(tokens.verify(token));
    expect([expired.code, expired.details.reason]).to.deep.equal(['AUTH_INVALID', 'expired']);

    const other = await tokens.issue(m.id);
    expect(await tokens.verify(other)).to.equal(m.id);
    expect(await tokens.revoke(other)).to.equal(true);
    expect(await tokens.revoke(other)).to.equal(false);
    const revoked = await refusal(tokens.verify(other));
    expect([revoked.code, revoked.details.reason]).to.deep.equal(['AUTH_INVALID', 'revoked']);
  });

  it('revokes every token of a meeting and leaves other meetings alone', async () => {
    const [a, b] = [await meeting(), await meeting()];
    const a1 = await tokens.issue(a.id);
    const a2 = await tokens.issue(a.id);
    const b1 = await tokens.issue(b.id);
    expect(await tokens.revokeMeeting(a.id)).to.equal(2);
    for (const t of [a1, a2]) expect((await refusal(tokens.verify(t))).code).to.equal('AUTH_INVALID');
    expect(await tokens.verify(b1)).to.equal(b.id);
  });

  it('refuses a missing meeting and a bad lifetime', async () => {
    expect((await refusal(tokens.issue(randomUUID()))).code).to.equal('MEETING_NOT_FOUND');
    expect((await refusal(tokens.issue('not-a-uuid'))).code).to.equal('MEETING_NOT_FOUND');
    const m = await meeting();
    expect((await refusal(tokens.issue(m.id, { ttlMs: 0 }))).code).to.equal('REQUEST_INVALID');
    expect((await refusal(tokens.issue(m.id, { ttlMs: 8 * 24 * 3600_000 }))).code).to.equal('REQUEST_INVALID');
  });
});
