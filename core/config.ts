import { z } from 'zod';
import { MinutesError } from './errors.ts';

/**
 * The whole service's configuration, parsed once at startup from the
 * environment. Only `bot/` calls `loadConfig`; everything else receives the
 * typed, frozen result. Every variable here is documented in `.env.example`.
 */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = (protocols: string[]) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`)
      .optional(),
  );
const int = (def: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(def));
const stringWithDefault = (def: string) => z.preprocess(emptyToUndefined, z.string().min(1).default(def));

export const LLM_PROVIDER_NAMES = ['anthropic', 'openai', 'gemini', 'openai-compatible'] as const;
export type LlmProviderName = (typeof LLM_PROVIDER_NAMES)[number];
const providerOrder = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean)) : v),
  z.array(z.enum(LLM_PROVIDER_NAMES)).min(1).default([...LLM_PROVIDER_NAMES]),
);

export const ROLE_NAMES = ['web', 'bot', 'worker'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
const roles = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : [...new Set(v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))]) : v),
  z.array(z.enum(ROLE_NAMES)).min(1).default([...ROLE_NAMES]),
);
const shardIds = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean)) : v),
  z.array(z.coerce.number().int().min(0).max(16_383)).max(1024).optional(),
);
const cronExpression = (def: string) => z.preprocess(emptyToUndefined, z.string().regex(/^\S+(\s+\S+){4,5}$/, 'a cron expression of 5 or 6 fields (e.g. "0 9 * * 1-5")').default(def));

export const ASR_ENGINE_NAMES = ['auto', 'openai', 'openai-compatible', 'pocketsphinx'] as const;
export type AsrEngineName = (typeof ASR_ENGINE_NAMES)[number];

export const configSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(['auto', 'json', 'pretty']).default('auto')),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  PORT: int(3000, 0, 65535),
  PUBLIC_URL: optionalUrl(['http:', 'https:']),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  DATABASE_POOL_MAX: int(10, 1, 200),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  REDIS_PREFIX: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, '1–64 of A-Z a-z 0-9 _ . : - { } (braces: a Redis Cluster hash tag)').default('minutes:')),
  ROLE: roles,
  SHUTDOWN_TIMEOUT_MS: int(15_000, 1000, 600_000),
  JOB_ATTEMPTS: int(5, 1, 50),
  JOB_BACKOFF_MS: int(2000, 10, 3_600_000),
  JOB_CONCURRENCY: int(4, 1, 256),
  DIGEST_CRON: cronExpression('0 9 * * 1-5'),
  REMINDER_LEAD_HOURS: int(24, 1, 24 * 30),
  STALE_MEETING_MINUTES: int(120, 5, 7 * 24 * 60),
  SCHEDULE_TIMEZONE: z.preprocess(emptyToUndefined, z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Berlin').optional()),
  DEFAULT_ORGANIZATION: z.preprocess(emptyToUndefined, z.string().min(1).max(200).default('Default')),
  IMPORT_MAX_BYTES: int(10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  AUDIO_MAX_BYTES: int(256 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_GUILD_ID: optionalString,
  DISCORD_MANAGER_ROLES: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v ?? []),
    z.array(z.string().min(1).max(100)).max(50),
  ),
  DISCORD_MENTION_OWNERS: z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined), z.enum(['true', 'false']).default('true')).transform((v) => v === 'true'),
  DISCORD_ALONE_GRACE_SECONDS: int(30, 0, 3600),
  DISCORD_SHARD_COUNT: int(1, 1, 16_384),
  DISCORD_SHARD_IDS: shardIds,
  AUTH_SECRET: z.preprocess(emptyToUndefined, z.string().min(32).optional()),
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16).optional()),
  ORGANIZATION_MODE: z.preprocess(emptyToUndefined, z.enum(['single', 'per-workspace']).default('single')),
  RETENTION_DAYS: int(0, 0, 36500),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: z.preprocess(emptyToUndefined, z.string().min(16).optional()),
  SLACK_TOKEN_KEY: optionalString,
  SLACK_APP_TOKEN: z.preprocess(emptyToUndefined, z.string().regex(/^xapp-\S+$/, 'an app-level token (xapp-…)').optional()),
  TEAMS_APP_ID: optionalString,
  TEAMS_APP_PASSWORD: optionalString,
  TEAMS_TENANT_ID: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  GEMINI_API_KEY: optionalString,
  ANTHROPIC_MODEL: stringWithDefault('claude-sonnet-4-6'),
  OPENAI_MODEL: stringWithDefault('gpt-4.1-mini'),
  GEMINI_MODEL: stringWithDefault('gemini-2.5-flash'),
  OPENAI_COMPATIBLE_BASE_URL: optionalUrl(['http:', 'https:']),
  OPENAI_COMPATIBLE_MODEL: optionalString,
  OPENAI_COMPATIBLE_API_KEY: optionalString,
  LLM_PROVIDER_ORDER: providerOrder,
  LLM_TIMEOUT_MS: int(60_000, 1000, 15 * 60_000),
  LLM_CONTEXT_BUDGET_TOKENS: int(12_000, 1000, 2_000_000),
  LLM_CACHE_TTL_SECONDS: int(3600, 0, 30 * 86_400),
  LLM_BREAKER_FAILURES: int(3, 1, 100),
  LLM_BREAKER_COOLDOWN_MS: int(60_000, 1000, 3_600_000),
  ASR_ENGINE: z.preprocess(emptyToUndefined, z.enum(ASR_ENGINE_NAMES).default('auto')),
  ASR_MODEL: optionalString,
  ASR_BASE_URL: optionalUrl(['http:', 'https:']),
  ASR_API_KEY: optionalString,
}).superRefine((c, ctx) => {
  // Multi-workspace Slack needs all four together: an install without the key could not store its token.
  const oauth = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_TOKEN_KEY'] as const;
  if (oauth.some((k) => c[k]) && !oauth.every((k) => c[k])) {
    for (const k of oauth.filter((k) => !c[k])) ctx.addIssue({ code: 'custom', path: [k], message: `a value: Slack OAuth install needs ${oauth.join(', ')}` });
  }
  // Parts of the service in separate processes meet only through a shared database and Redis.
  if (c.ROLE.length < ROLE_NAMES.length) {
    const missing = ROLE_NAMES.filter((r) => !c.ROLE.includes(r));
    if (!c.REDIS_URL) ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: `a Redis URL when ROLE runs only ${c.ROLE.join(',')}: the ${missing.join(' and ')} role(s) run in other processes and reach this one through Redis` });
    if (!c.DATABASE_URL) ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: `a Postgres URL when ROLE runs only ${c.ROLE.join(',')}: the embedded database serves one process` });
  }
  for (const id of c.DISCORD_SHARD_IDS ?? []) {
    if (id >= c.DISCORD_SHARD_COUNT) ctx.addIssue({ code: 'custom', path: ['DISCORD_SHARD_IDS'], message: `shard ids below DISCORD_SHARD_COUNT (${c.DISCORD_SHARD_COUNT}); got ${id}` });
  }
  // A local server is only usable once we know which model it serves.
  if (c.OPENAI_COMPATIBLE_BASE_URL && !c.OPENAI_COMPATIBLE_MODEL) {
    ctx.addIssue({ code: 'custom', path: ['OPENAI_COMPATIBLE_MODEL'], message: 'a model name when OPENAI_COMPATIBLE_BASE_URL is set' });
  }
});

export type Config = Readonly<z.infer<typeof configSchema>> & {
  readonly publicUrl: string;
  readonly database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
};

/** Names of variables whose values must never reach a log line. */
export const SECRET_KEYS = [
  'DATABASE_URL',
  'REDIS_URL',
  'AUTH_SECRET',
  'METRICS_TOKEN',
  'DISCORD_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
  'SLACK_TOKEN_KEY',
  'SLACK_APP_TOKEN',
  'TEAMS_APP_PASSWORD',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'GEMINI_API_KEY',
  'OPENAI_COMPATIBLE_API_KEY',
  'ASR_API_KEY',
] as const;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      // A list variable's issue points into the list (ROLE.1); people set the variable, so name that.
      const name = String(issue.path[0] ?? '') || '(environment)';
      const got = env[name] === undefined ? 'unset' : SECRET_KEYS.includes(name as never) ? '(hidden)' : JSON.stringify(env[name]);
      return `  ${name}: expected ${describeIssue(issue)}, got ${got}`;
    });
    throw new MinutesError('CONFIG_INVALID', `Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every variable.`, {
      details: { variables: [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')))] },
    });
  }
  const c = parsed.data;
  const publicUrl = (c.PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`).replace(/\/$/, '');
  const database = c.DATABASE_URL ? ({ kind: 'postgres', url: c.DATABASE_URL } as const) : ({ kind: 'pglite', dataDir: c.DATA_DIR } as const);
  return Object.freeze({ ...c, publicUrl, database });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
    case 'invalid_type':
      return issue.message.replace(/^Invalid input: /, '').replace(/^Too (small|big): /, '');
    default:
      return issue.message;
  }
}
