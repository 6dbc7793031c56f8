export { DiscordAdapter, createDiscordAdapter } from './DiscordAdapter.ts';
export { COMMANDS, inviteUrl, registerCommands, minutesCommand } from './commands.ts';
export type { DiscordAdapterOptions, DiscordCore } from './types.ts';
export type { Links } from './render.ts';
