import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits, REST, Routes, SlashCommandBuilder } from 'discord.js';

/**
 * The `/minutes` command and its subcommands. Kept as data so registration
 * (`npm run discord:register`) and the tests use the same definition.
 */
export function minutesCommand(): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName('minutes')
    .setDescription('Meeting minutes: record a voice call, read summaries and action items')
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);
  command
    .addSubcommand((s) => s.setName('start').setDescription('Join your voice channel and take notes')
      .addStringOption((o) => o.setName('title').setDescription('Meeting title').setMaxLength(200)))
    .addSubcommand((s) => s.setName('stop').setDescription('End the meeting in your voice channel and post the minutes'))
    .addSubcommand((s) => s.setName('status').setDescription('Is a meeting being recorded here, and how is it going?'))
    .addSubcommand((s) => s.setName('summary').setDescription('Post the minutes of a meeting')
      .addStringOption((o) => o.setName('meeting').setDescription('Meeting (latest when empty)').setAutocomplete(true)))
    .addSubcommand((s) => s.setName('actions').setDescription('Open action items')
      .addStringOption((o) => o.setName('filter').setDescription('Whose items').addChoices(
        { name: 'mine', value: 'mine' }, { name: 'overdue', value: 'overdue' }, { name: 'all open', value: 'open' },
      ))
      .addStringOption((o) => o.setName('meeting').setDescription('Only this meeting').setAutocomplete(true)))
    .addSubcommand((s) => s.setName('search').setDescription('Search every meeting transcript')
      .addStringOption((o) => o.setName('query').setDescription('Words, "a phrase", -exclude').setRequired(true).setMaxLength(200)))
    .addSubcommand((s) => s.setName('ask').setDescription('Ask a question about past meetings')
      .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(500))
      .addStringOption((o) => o.setName('meeting').setDescription('Only this meeting').setAutocomplete(true)))
    .addSubcommand((s) => s.setName('optout').setDescription('Never record my voice in this server (takes effect at once)'))
    .addSubcommand((s) => s.setName('optin').setDescription('Allow my voice to be transcribed again'))
    .addSubcommand((s) => s.setName('link').setDescription('A link to the dashboard (only you see it)'));
  return command;
}

/** Everyone may use the command; who may start/stop is checked at run time (roles from the configuration). */
export const COMMANDS = () => [minutesCommand().setDefaultMemberPermissions(null).toJSON()];

/** The permissions the bot needs, as the invite URL and the permission check use them. */
export const REQUIRED_TEXT_PERMISSIONS = [
  PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks,
  PermissionFlagsBits.AttachFiles, PermissionFlagsBits.CreatePublicThreads, PermissionFlagsBits.SendMessagesInThreads,
  PermissionFlagsBits.ReadMessageHistory,
] as const;
export const REQUIRED_VOICE_PERMISSIONS = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.Connect, PermissionFlagsBits.Speak] as const;

export function inviteUrl(applicationId: string): string {
  const permissions = [...REQUIRED_TEXT_PERMISSIONS, ...REQUIRED_VOICE_PERMISSIONS].reduce((a, b) => a | b, 0n);
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot%20applications.commands&permissions=${permissions}`;
}

export interface RegisterOptions {
  token: string;
  applicationId: string;
  /** Register in one guild (instant, for development); global otherwise (can take up to an hour). */
  guildId?: string;
  /** REST base, e.g. a loopback fake in tests. */
  api?: string;
}

export async function registerCommands(options: RegisterOptions): Promise<{ scope: string; count: number }> {
  const rest = new REST(options.api ? { api: options.api } : {}).setToken(options.token);
  const body = COMMANDS();
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const result = (await rest.put(route, { body })) as unknown[];
  return { scope: options.guildId ? `guild ${options.guildId}` : 'global', count: result.length };
}
