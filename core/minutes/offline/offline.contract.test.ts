import { runAnalyzerContract } from '../analyzer.contract.ts';
import { OfflineAnalyzer } from './analyzer.ts';

runAnalyzerContract('offline', () => new OfflineAnalyzer(), { deterministic: true });
runAnalyzerContract('offline (rules only, no model)', () => new OfflineAnalyzer({ model: null }), { deterministic: true });
