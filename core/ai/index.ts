export * from './LlmProvider.ts';
export { CircuitBreaker, systemClock, type BreakerState, type Clock } from './CircuitBreaker.ts';
export { Orchestrator, LLM_TASKS, cacheKey, type LlmTask, type OrchestratorOptions, type OrchestratedRequest, type OrchestratedResult, type Attempt } from './Orchestrator.ts';
export { LlmAnalyzer, type LlmAnalyzerOptions } from './LlmAnalyzer.ts';
export { ScriptedProvider, type ScriptStep, type Responder } from './ScriptedProvider.ts';
export { MemoryLedger, type UsageEntry, type UsageLedger, type UsageOutcome } from './ledger.ts';
export { costUsd, DEFAULT_PRICES, type PriceTable } from './pricing.ts';
export { translateSummary } from './translate.ts';
export { estimateTokens } from './tokens.ts';
