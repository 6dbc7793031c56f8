export { attachCache, cacheOf, cacheStats, DashboardCache, DEFAULT_TTLS, type CacheStats, type CacheTtls, type DashboardCacheOptions } from './DashboardCache.ts';
