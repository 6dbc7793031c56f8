import { expect } from 'chai';
import { Writable } from 'node:stream';
import { loadConfig, SECRET_KEYS } from './config.ts';
import { isMinutesError } from './errors.ts';
import { createLogger, meetingLogger } from './logger.ts';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(isMinutesError(err, 'CONFIG_INVALID')).to.equal(true);
    return (err as Error).message;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('config', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.database).to.deep.equal({ kind: 'pglite', dataDir: './data' });
    expect(c.PORT).to.equal(3000);
    expect(c.publicUrl).to.equal('http://127.0.0.1:3000');
    expect(c.REDIS_URL).to.equal(undefined);
    expect(Object.isFrozen(c)).to.equal(true);
  });

  it('uses Postgres when DATABASE_URL is set and treats empty values as unset', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/minutes', REDIS_URL: '', PORT: '' });
    expect(c.database).to.deep.equal({ kind: 'postgres', url: 'postgres://u@db:5432/minutes' });
    expect(c.REDIS_URL).to.equal(undefined);
    expect(c.PORT).to.equal(3000);
  });

  it('names each bad variable and what it expects', () => {
    const message = configError({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(message).to.match(/PORT: expected .*number/i);
    expect(message).to.match(/DATABASE_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\//);
    expect(message).to.match(/LOG_LEVEL: expected one of "fatal"/);
  });

  it('rejects out-of-range numbers', () => {
    expect(configError({ PORT: '70000' })).to.match(/PORT/);
    expect(configError({ IMPORT_MAX_BYTES: '-1' })).to.match(/IMPORT_MAX_BYTES/);
  });

  it('runs every role by default and parses a comma-separated ROLE', () => {
    expect(loadConfig({}).ROLE).to.deep.equal(['web', 'bot', 'worker']);
    const c = loadConfig({ ROLE: ' Web , worker,web', DATABASE_URL: 'postgres://u@db/m', REDIS_URL: 'redis://r:6379' });
    expect(c.ROLE).to.deep.equal(['web', 'worker']);
  });

  it('refuses an unknown role, and a split role without Redis and Postgres to meet through', () => {
    expect(configError({ ROLE: 'web,cook' })).to.match(/ROLE: expected one of "web", "bot", "worker"/);
    const split = configError({ ROLE: 'worker' });
    expect(split).to.match(/REDIS_URL: expected a Redis URL when ROLE runs only worker: the web and bot role\(s\) run in other processes/);
    expect(split).to.match(/DATABASE_URL: expected a Postgres URL when ROLE runs only worker/);
  });

  it('checks Discord shard ids against the shard count and cron expressions', () => {
    expect(configError({ DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_IDS: '0,2' })).to.match(/DISCORD_SHARD_IDS: expected shard ids below DISCORD_SHARD_COUNT \(2\); got 2/);
    expect(loadConfig({ DISCORD_SHARD_COUNT: '4', DISCORD_SHARD_IDS: '2, 3' }).DISCORD_SHARD_IDS).to.deep.equal([2, 3]);
    expect(configError({ DIGEST_CRON: 'every day' })).to.match(/DIGEST_CRON: expected a cron expression/);
    expect(configError({ SCHEDULE_TIMEZONE: 'Mars/Olympus' })).to.match(/SCHEDULE_TIMEZONE: expected an IANA time zone/);
    expect(loadConfig({ SCHEDULE_TIMEZONE: 'Europe/Berlin' }).SCHEDULE_TIMEZONE).to.equal('Europe/Berlin');
  });

  it('never echoes a secret value in its error', () => {
    const message = configError({ DATABASE_URL: 'not a url with password hunter2' });
    expect(message).to.not.contain('hunter2');
  });
});

describe('logger', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    return { lines, logger: createLogger({ level: 'info', format: 'json', destination }) };
  }

  it('redacts tokens and secrets wherever they appear', () => {
    const { lines, logger } = capture();
    logger.info({ config: { DISCORD_TOKEN: 'abc.def', OPENAI_API_KEY: 'sk-123' }, headers: { authorization: 'Bearer x' }, token: 't' }, 'hello');
    const text = JSON.stringify(lines);
    expect(text).to.not.contain('abc.def');
    expect(text).to.not.contain('sk-123');
    expect(text).to.not.contain('Bearer x');
    expect(lines[0]!.token).to.equal('[redacted]');
  });

  it('redacts every secret variable of the config when a config object is logged', () => {
    const { lines, logger } = capture();
    const config = Object.fromEntries(SECRET_KEYS.map((k) => [k, `value-of-${k}`]));
    logger.info({ config }, 'config');
    for (const k of SECRET_KEYS) expect(JSON.stringify(lines), k).to.not.contain(`value-of-${k}`);
  });

  it('gives each meeting a child logger that stamps its id', () => {
    const { lines, logger } = capture();
    meetingLogger(logger, { id: 'm-1', platform: 'discord' }).info('joined');
    expect(lines[0]).to.include({ meetingId: 'm-1', platform: 'discord', msg: 'joined' });
  });
});
