/** The core's public surface: adapters, the dashboard and bot/ import from here. */
export * from './errors.ts';
export * from './types.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './bus/EventBus.ts';
export { InProcessEventBus } from './bus/InProcessEventBus.ts';
export * from './store/index.ts';
export { MeetingService, type AppendResult } from './meetings/MeetingService.ts';
export { IngestBatcher } from './meetings/IngestBatcher.ts';
export { MEETING_TRANSITIONS, canTransition } from './meetings/state.ts';
export type { ImportOptions, ImportResult } from './meetings/importMeeting.ts';
