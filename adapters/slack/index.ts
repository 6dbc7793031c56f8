export { SlackAdapter, MinutesPoster, createSlackAdapter } from './SlackAdapter.ts';
export { SUBCOMMANDS, parseCommand } from './commands.ts';
export { minutesMessages, actionItemBlocks, ACTION } from './blocks.ts';
export { mrkdwn, safe, NO_PARSE, LIMITS } from './escape.ts';
export type { SlackAdapterOptions, SlackCore, Links, SlackWorkspaceSettings } from './types.ts';
export { handleItemAction } from './actions.ts';
export { publishHome, homeView } from './home.ts';
