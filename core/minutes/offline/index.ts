export { OfflineAnalyzer } from './analyzer.ts';
export type { OfflineAnalyzerOptions } from './analyzer.ts';
export { OfflineLiveAnalyzer } from './live.ts';
export type { LiveAnalyzerOptions } from './live.ts';
