import { createProvidersFromConfig, missingProviderHints } from '../adapters/llm/index.ts';
import { RedisCache } from '../adapters/redis/RedisCache.ts';
import { LlmAnalyzer } from '../core/ai/LlmAnalyzer.ts';
import type { UsageLedger } from '../core/ai/ledger.ts';
import { Orchestrator } from '../core/ai/Orchestrator.ts';
import type { Cache } from '../core/cache/Cache.ts';
import { InProcessCache } from '../core/cache/InProcessCache.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { OfflineAnalyzer } from '../core/minutes/offline/index.ts';
import type { Analyzer } from '../core/minutes/types.ts';

export interface MinutesEngine {
  /** Writes the minutes: the LLM analyzer (offline fallback) when a provider is configured, else the offline analyzer. */
  analyzer: Analyzer;
  /** Null when no provider is configured: Q&A answers with passages, translation is unavailable. */
  orchestrator: Orchestrator | null;
  cache: 'redis' | 'in-process' | 'off' | null;
  close(): Promise<void>;
}

/**
 * The minutes engine from the config. Building it makes no network call:
 * provider SDK clients connect on first use, and the Redis cache connects
 * lazily on its first read. Logs one line saying who writes the minutes.
 */
export function createMinutesEngine(config: Config, deps: { ledger: UsageLedger; logger: Logger }): MinutesEngine {
  const offline = new OfflineAnalyzer();
  const providers = createProvidersFromConfig(config);
  if (providers.length === 0) {
    const hints = missingProviderHints(config);
    deps.logger.info({ analyzer: 'offline' }, `minutes written by the offline analyzer; LLM providers off: set ${hints.join(', ')} to turn one on`);
    return { analyzer: offline, orchestrator: null, cache: null, close: async () => undefined };
  }
  const ttlMs = config.LLM_CACHE_TTL_SECONDS * 1000;
  let cache: (Cache & { close?: () => Promise<void> }) | undefined;
  if (ttlMs > 0) cache = config.REDIS_URL ? new RedisCache({ url: config.REDIS_URL, prefix: `${config.REDIS_PREFIX}cache:` }) : new InProcessCache();
  const cacheKind = ttlMs <= 0 ? 'off' : config.REDIS_URL ? 'redis' : 'in-process';
  const orchestrator = new Orchestrator({
    providers,
    ...(cache ? { cache, cacheTtlMs: ttlMs } : {}),
    ledger: deps.ledger,
    logger: deps.logger,
    breaker: { failureThreshold: config.LLM_BREAKER_FAILURES, cooldownMs: config.LLM_BREAKER_COOLDOWN_MS },
    timeoutMs: config.LLM_TIMEOUT_MS,
  });
  const analyzer = new LlmAnalyzer({
    orchestrator, fallback: offline, contextBudgetTokens: config.LLM_CONTEXT_BUDGET_TOKENS, logger: deps.logger.child({ component: 'llm-analyzer' }),
  });
  const chain = providers.map((p) => `${p.name} ${p.model}`).join(' → ');
  deps.logger.info({ analyzer: 'llm', providers: providers.map((p) => p.name), cache: cacheKind }, `minutes written by the LLM analyzer (${chain}), offline analyzer as fallback; LLM cache ${cacheKind}`);
  return { analyzer, orchestrator, cache: cacheKind, close: async () => cache?.close?.() };
}
