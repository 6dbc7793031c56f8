export { scoringTokens, overlapCount, tokenF1 } from './tokens.ts';
export { candidatePairs, comparePairs, greedyMatch, scoreMeeting, prf, ItemScore } from './match.ts';
export type { ScoredItem, MatchOptions, Pair, Counts, PRF } from './match.ts';
export { rouge, rougeN, rougeL, rougeTokens, lcsLength } from './rouge.ts';
export type { RougeScores } from './rouge.ts';
