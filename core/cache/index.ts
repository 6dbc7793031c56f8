export type { Cache } from './Cache.ts';
export { InProcessCache } from './InProcessCache.ts';
