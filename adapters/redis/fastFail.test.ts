import { expect } from 'chai';
import { fastFail } from './fastFail.ts';

describe('fastFail', () => {
  it('after a failure, fails at once without calling until the cooldown is over, then tries again', async () => {
    let t = 1000;
    const run = fastFail({ cooldownMs: 2000, now: () => t });
    let calls = 0;
    const down = () => { calls++; return Promise.reject(new Error('Command timed out')); };
    const up = () => { calls++; return Promise.resolve('PONG'); };
    expect(await run(up)).to.equal('PONG');
    await run(down).then(() => expect.fail('should fail'), (e: Error) => expect(e.message).to.equal('Command timed out'));
    t += 1999;
    await run(up).then(() => expect.fail('should fail fast'), (e: Error) => expect(e.message).to.match(/failing fast/));
    expect(calls, 'nothing sent during the cooldown').to.equal(2);
    t += 1;
    expect(await run(up)).to.equal('PONG');
    expect(calls).to.equal(3);
  });
});
