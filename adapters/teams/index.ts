export { createTeamsAdapter, TeamsAdapter, GRAPH_SCOPE, TRANSCRIPT_SOURCE } from './TeamsAdapter.ts';
export { minutesCard, noticeCard, VERB, CARD_CONTENT_TYPE } from './cards.ts';
export { cardText, messageText } from './escape.ts';
export type { Links, TeamsAdapterOptions, TeamsCore, TranscriptRetry } from './types.ts';
