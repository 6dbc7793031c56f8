import { expect } from 'chai';
import { CircuitBreaker } from './CircuitBreaker.ts';

describe('CircuitBreaker', () => {
  const clock = { t: 0, now() { return this.t; } };
  const make = () => new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000, clock });
  beforeEach(() => { clock.t = 1_000; });

  it('stays closed below the threshold and a success resets the count', () => {
    const b = make();
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.current).to.equal('closed');
    expect(b.tryAcquire()).to.equal(true);
  });

  it('opens after N consecutive failures and refuses calls during the cool-down', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    expect(b.current).to.equal('open');
    expect(b.tryAcquire()).to.equal(false);
    clock.t += 9_999;
    expect(b.tryAcquire()).to.equal(false);
    expect(b.retryInMs).to.equal(1);
  });

  it('half-opens after the cool-down and lets exactly one trial through', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    clock.t += 10_000;
    expect(b.current).to.equal('half_open');
    expect(b.tryAcquire()).to.equal(true);
    expect(b.tryAcquire()).to.equal(false);
  });

  it('closes when the trial succeeds', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    clock.t += 10_000;
    b.tryAcquire();
    b.onSuccess();
    expect(b.current).to.equal('closed');
    expect(b.tryAcquire()).to.equal(true);
  });

  it('re-opens for a full cool-down when the trial fails', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    clock.t += 10_000;
    b.tryAcquire();
    b.onFailure();
    expect(b.current).to.equal('open');
    clock.t += 9_000;
    expect(b.tryAcquire()).to.equal(false);
    clock.t += 1_000;
    expect(b.tryAcquire()).to.equal(true);
  });

  it('a released trial (cancelled call) lets the next caller try', () => {
    const b = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    clock.t += 10_000;
    b.tryAcquire();
    b.release();
    expect(b.tryAcquire()).to.equal(true);
  });

  it('a rate limit with retry-after opens it for that long even below the threshold', () => {
    const b = make();
    b.onFailure(30_000);
    expect(b.current).to.equal('open');
    clock.t += 29_999;
    expect(b.tryAcquire()).to.equal(false);
    clock.t += 1;
    expect(b.tryAcquire()).to.equal(true);
  });
});
