import {
  MessageFlags, PermissionFlagsBits, PermissionsBitField, type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction,
  type GuildMember, type Interaction, type StringSelectMenuInteraction,
} from 'discord.js';
import { isMinutesError, MinutesError } from '../../core/errors.ts';
import { clock } from '../../core/format.ts';
import { REQUIRED_TEXT_PERMISSIONS, REQUIRED_VOICE_PERMISSIONS } from './commands.ts';
import type { DiscordAdapter } from './DiscordAdapter.ts';
import { actionsMessage, answerMessage, NO_MENTIONS, safe, searchMessage, truncate } from './render.ts';

type Guilded<T> = T & { guildId: string; member: GuildMember };
const EPHEMERAL = MessageFlags.Ephemeral;

/** Routes every interaction; nothing thrown here reaches discord.js, and the user always gets an answer. */
export async function handleInteraction(adapter: DiscordAdapter, interaction: Interaction): Promise<void> {
  try {
    if (!interaction.inCachedGuild()) {
      if (interaction.isRepliable()) await interaction.reply({ content: 'Use this in a server.', flags: EPHEMERAL });
      return;
    }
    if (interaction.isAutocomplete()) return await autocomplete(adapter, interaction as Guilded<AutocompleteInteraction<'cached'>>);
    if (interaction.isChatInputCommand() && interaction.commandName === 'minutes') return await command(adapter, interaction);
    if (interaction.isButton() && interaction.customId.startsWith('minutes:regen:')) return await regenerate(adapter, interaction);
    if (interaction.isStringSelectMenu() && interaction.customId.startsWith('minutes:done:')) return await markDone(adapter, interaction);
  } catch (err) {
    adapter.log.warn({ err, interaction: interaction.id }, 'interaction failed');
    if (!interaction.isRepliable()) return;
    const content = `⚠️ ${friendly(err)}`;
    const reply = interaction.deferred || interaction.replied ? interaction.followUp({ content, flags: EPHEMERAL, allowedMentions: NO_MENTIONS }) : interaction.reply({ content, flags: EPHEMERAL, allowedMentions: NO_MENTIONS });
    await reply.catch(() => undefined);
  }
}

function friendly(err: unknown): string {
  if (!isMinutesError(err)) return 'Something went wrong; the error was logged.';
  switch (err.code) {
    case 'MEETING_NOT_FOUND': return 'That meeting does not exist (or is not in this server).';
    case 'ACTION_ITEM_NOT_FOUND': return 'That action item no longer exists.';
    case 'SEARCH_INVALID': return `That search is not valid: ${err.message}`;
    default: return err.message;
  }
}

async function orgOf(adapter: DiscordAdapter, i: Guilded<Interaction<'cached'>>): Promise<string> {
  return adapter.options.core.organizationFor({ id: i.guildId, name: i.guild.name });
}

async function command(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const sub = i.options.getSubcommand();
  switch (sub) {
    case 'start': return start(adapter, i);
    case 'stop': return stop(adapter, i);
    case 'status': return status(adapter, i);
    case 'summary': return summary(adapter, i);
    case 'actions': return actions(adapter, i);
    case 'search': return search(adapter, i);
    case 'ask': return ask(adapter, i);
    case 'optout': case 'optin': return consent(adapter, i, sub === 'optout');
    case 'link': return link(adapter, i);
    default: await i.reply({ content: `Unknown subcommand ${safe(sub)}.`, flags: EPHEMERAL });
  }
}

const permissionNames = (bits: bigint[]): string[] => bits.flatMap((b) => new PermissionsBitField(b).toArray());

/** Who may start/stop: members with a configured role, server managers, or (with no roles configured) anyone in the call. */
function mayManage(adapter: DiscordAdapter, member: GuildMember): boolean {
  const roles = adapter.options.managerRoles ?? [];
  if (roles.length === 0) return true;
  if (member.permissions.has(PermissionFlagsBits.ManageGuild)) return true;
  return member.roles.cache.some((r) => roles.includes(r.id) || roles.includes(r.name));
}

async function start(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const voiceChannel = i.member.voice.channel;
  if (!voiceChannel) return void (await i.reply({ content: 'Join a voice channel first, then run `/minutes start` again.', flags: EPHEMERAL }));
  if (!mayManage(adapter, i.member)) {
    return void (await i.reply({ content: `Only members with one of these roles can start notes: ${(adapter.options.managerRoles ?? []).map(safe).join(', ')}.`, flags: EPHEMERAL }));
  }
  const running = adapter.runner.inVoiceChannel(voiceChannel.id);
  if (running) return void (await i.reply({ content: `Notes are already being taken in ${safe(voiceChannel.name)}: <${adapter.options.core.links.meeting(running.id)}>`, flags: EPHEMERAL }));
  const me = i.guild.members.me;
  const voicePerms = me ? voiceChannel.permissionsFor(me) : null;
  const missing = [
    ...permissionNames(REQUIRED_VOICE_PERMISSIONS.filter((p) => !voicePerms?.has(p))).map((n) => `${n} (in ${voiceChannel.name})`),
    ...permissionNames(REQUIRED_TEXT_PERMISSIONS.filter((p) => !i.appPermissions.has(p))).map((n) => `${n} (in this channel)`),
  ];
  if (missing.length) {
    return void (await i.reply({ content: `I can't take notes yet: I am missing these permissions: ${missing.map(safe).join(', ')}. Ask a server admin to grant them (or re-invite me with the link in the README).`, flags: EPHEMERAL }));
  }
  await i.deferReply();
  const session = await adapter.runner.start({
    guild: i.guild, voiceChannel, member: i.member, title: i.options.getString('title'),
    postNotice: (payload) => i.editReply(payload),
  });
  adapter.log.info({ meetingId: session.id, guildId: i.guildId }, 'meeting started from a slash command');
}

async function stop(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const here = i.member.voice.channelId ? adapter.runner.inVoiceChannel(i.member.voice.channelId) : undefined;
  const inGuild = adapter.runner.inGuild(i.guildId);
  const session = here ?? (inGuild.length === 1 ? inGuild[0] : undefined);
  if (!session) {
    const hint = inGuild.length > 1 ? 'Several calls are being recorded: join the one you want to stop.' : 'No meeting is being recorded in this server.';
    return void (await i.reply({ content: hint, flags: EPHEMERAL }));
  }
  const isStarter = session.meeting.externalIds.startedBy === i.user.id;
  const inCall = i.member.voice.channelId === session.options.voiceChannelId;
  const roles = adapter.options.managerRoles ?? [];
  if (!isStarter && !(roles.length ? mayManage(adapter, i.member) : inCall)) {
    return void (await i.reply({ content: roles.length ? 'Only the person who started the notes or members with a manager role can stop them.' : 'Join the call to stop its notes.', flags: EPHEMERAL }));
  }
  await i.deferReply();
  await adapter.runner.end(session, `stopped by ${i.member.displayName}`);
  await i.editReply({ content: `⏹️ Notes of **${safe(session.meeting.title)}** ended. The minutes will be posted here shortly: <${adapter.options.core.links.meeting(session.id)}>`, allowedMentions: NO_MENTIONS });
}

async function status(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const sessions = adapter.runner.inGuild(i.guildId);
  if (sessions.length === 0) return void (await i.reply({ content: 'No meeting is being recorded in this server right now.', flags: EPHEMERAL }));
  const lines = sessions.map((s) => {
    const elapsed = clock(Date.now() - (s.meeting.startedAt ?? new Date()).getTime());
    const people = [...s.participants.values()];
    const out = people.filter((p) => p.optedOut).length;
    return `🔴 **${safe(s.meeting.title)}** in <#${s.options.voiceChannelId}> · ${elapsed} · voice ${s.voice?.state ?? 'starting'} · ${people.length} participant(s)${out ? ` (${out} opted out)` : ''} · ${s.segments} line(s) · <${adapter.options.core.links.meeting(s.id)}>`;
  });
  await i.reply({ content: truncate(lines.join('\n'), 2000), flags: EPHEMERAL, allowedMentions: NO_MENTIONS });
}

/** A meeting id from an option, checked to belong to this server's organization; the latest ended one otherwise. */
async function pickMeeting(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>, organizationId: string, required: boolean): Promise<string | null> {
  const { meetings } = adapter.options.core;
  const chosen = i.options.getString('meeting');
  if (chosen) {
    const m = await meetings.getMeeting(chosen);
    if (m.organizationId !== organizationId) throw new MinutesError('MEETING_NOT_FOUND', `No meeting with id ${chosen}`, { details: { meetingId: chosen } });
    return m.id;
  }
  if (!required) return null;
  const latest = await meetings.listMeetings({ organizationId, status: 'completed', limit: 1 });
  return latest.items[0]?.id ?? null;
}

async function summary(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const organizationId = await orgOf(adapter, i);
  await i.deferReply();
  const meetingId = await pickMeeting(adapter, i, organizationId, true);
  if (!meetingId) return void (await i.editReply({ content: 'No finished meeting yet. Start one with `/minutes start`.' }));
  await adapter.options.core.minutes.ensure(meetingId);
  await i.editReply(await adapter.summaries.render(meetingId, { withFile: true }));
}

async function actions(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const { stores, meetings } = adapter.options.core;
  const organizationId = await orgOf(adapter, i);
  const filter = i.options.getString('filter') ?? 'open';
  const meetingId = await pickMeeting(adapter, i, organizationId, false);
  const personal = filter === 'mine';
  await i.deferReply(personal ? { flags: EPHEMERAL } : {});
  const me = personal ? await stores.organizations.findUserByIdentity('discord', i.user.id, i.guildId) : null;
  if (personal && !me) return void (await i.editReply({ content: 'You have no action items here yet.' }));
  const today = new Date().toISOString().slice(0, 10);
  const items = await stores.minutes.listActionItems({
    organizationId, status: ['pending', 'in_progress'], ...(meetingId ? { meetingId } : {}),
    ...(me ? { ownerUserId: me.id } : {}), ...(filter === 'overdue' ? { dueBefore: today } : {}), limit: 100,
  });
  const titles = new Map<string, string>();
  for (const id of new Set(items.map((a) => a.meetingId))) titles.set(id, (await meetings.getMeeting(id)).title);
  const heading = filter === 'mine' ? 'Your open action items' : filter === 'overdue' ? 'Overdue action items' : 'Open action items';
  await i.editReply(actionsMessage(items.map((a) => ({ ...a, meetingTitle: titles.get(a.meetingId) ?? '' })), heading, adapter.options.core.links));
}

async function search(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const organizationId = await orgOf(adapter, i);
  const query = i.options.getString('query', true);
  await i.deferReply({ flags: EPHEMERAL });
  const result = await adapter.options.core.stores.search.search({ q: query, organizationId, limit: 8 });
  await i.editReply(searchMessage(query, result, adapter.options.core.links));
}

async function ask(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const organizationId = await orgOf(adapter, i);
  const question = i.options.getString('question', true);
  await i.deferReply({ flags: EPHEMERAL });
  const meetingId = await pickMeeting(adapter, i, organizationId, false);
  const answer = await adapter.options.core.ask({ question, organizationId, ...(meetingId ? { meetingId } : {}) });
  await i.editReply(answerMessage(answer, adapter.options.core.links));
}

async function consent(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>, optOut: boolean): Promise<void> {
  await i.deferReply({ flags: EPHEMERAL });
  const affected = await adapter.runner.setConsent(i.guildId, i.member, optOut);
  const now = affected.length ? ` This applies at once to ${affected.map((s) => `**${safe(s.meeting.title)}**`).join(', ')}.` : '';
  await i.editReply({
    content: optOut
      ? `🔇 Your voice will not be recorded or transcribed in this server's meetings.${now} Use \`/minutes optin\` to undo.`
      : `🔈 Your voice can be transcribed again in this server's meetings.${now}`,
    allowedMentions: NO_MENTIONS,
  });
}

async function link(adapter: DiscordAdapter, i: ChatInputCommandInteraction<'cached'>): Promise<void> {
  const { core } = adapter.options;
  const organizationId = await orgOf(adapter, i);
  const url = core.signInLink
    ? await core.signInLink({ organizationId, platform: 'discord', externalUserId: i.user.id, externalTeamId: i.guildId, displayName: i.member.displayName })
    : core.links.home();
  await i.reply({ content: `Your dashboard: <${url}>${core.signInLink ? ' (a personal sign-in link: do not share it)' : ''}`, flags: EPHEMERAL });
}

async function autocomplete(adapter: DiscordAdapter, i: Guilded<AutocompleteInteraction<'cached'>>): Promise<void> {
  const organizationId = await orgOf(adapter, i);
  const typed = String(i.options.getFocused() ?? '').trim();
  const page = await adapter.options.core.meetings.listMeetings({ organizationId, ...(typed ? { title: typed } : {}), limit: 25 });
  await i.respond(page.items.map((m) => ({
    name: truncate(`${m.title} · ${(m.startedAt ?? m.createdAt).toISOString().slice(0, 10)}${m.status === 'in_progress' ? ' (live)' : ''}`, 100),
    value: m.id,
  })));
}

async function regenerate(adapter: DiscordAdapter, i: ButtonInteraction<'cached'>): Promise<void> {
  const meetingId = i.customId.slice('minutes:regen:'.length);
  const organizationId = await orgOf(adapter, i);
  const meeting = await adapter.options.core.meetings.getMeeting(meetingId);
  if (meeting.organizationId !== organizationId) return void (await i.reply({ content: friendly(new MinutesError('MEETING_NOT_FOUND', 'not in this server')), flags: EPHEMERAL }));
  await i.deferUpdate();
  await adapter.options.core.minutes.generate(meetingId);
  // The channel's summary message is refreshed by SummaryPoster on minutes.ready; another copy (from /minutes summary) here.
  if (i.message.id !== meeting.externalIds.summaryMessageId) await i.editReply({ ...(await adapter.summaries.render(meetingId, { withFile: true })), attachments: [] });
}

async function markDone(adapter: DiscordAdapter, i: StringSelectMenuInteraction<'cached'>): Promise<void> {
  const meetingId = i.customId.slice('minutes:done:'.length);
  const organizationId = await orgOf(adapter, i);
  await i.deferUpdate();
  for (const id of i.values) {
    await adapter.options.core.minutes.updateActionItem(id, { status: 'completed' }, { organizationId });
  }
  const meeting = await adapter.options.core.meetings.getMeeting(meetingId);
  if (i.message.id !== meeting.externalIds.summaryMessageId) {
    const payload = await adapter.summaries.render(meetingId, { withFile: false });
    await i.editReply({ embeds: payload.embeds, components: payload.components, allowedMentions: payload.allowedMentions });
  }
  await i.followUp({ content: `☑️ Marked done by ${safe(i.member.displayName)}.`, allowedMentions: NO_MENTIONS });
}
