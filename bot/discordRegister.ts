import { pathToFileURL } from 'node:url';
import { inviteUrl, registerCommands } from '../adapters/discord/index.ts';
import { MinutesError } from '../core/errors.ts';
import { bootstrap, fail } from './bootstrap.ts';

/**
 * `npm run discord:register [-- --guild <id> | --global]`: registers the
 * `/minutes` slash command with Discord and prints the invite URL.
 */
export async function registerDiscordCommands(argv: string[]): Promise<void> {
  const { config, logger } = bootstrap();
  try {
    if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
      throw new MinutesError('CONFIG_INVALID', 'Set DISCORD_TOKEN and DISCORD_APPLICATION_ID (see .env.example and the README\'s Discord section) to register the commands.', {
        details: { variables: ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID'] },
      });
    }
    const flag = argv.indexOf('--guild');
    const guildId = argv.includes('--global') ? undefined : flag >= 0 ? argv[flag + 1] : config.DISCORD_GUILD_ID;
    const result = await registerCommands({ token: config.DISCORD_TOKEN, applicationId: config.DISCORD_APPLICATION_ID, ...(guildId ? { guildId } : {}) });
    logger.info(result, `registered ${result.count} command(s) (${result.scope})`);
    process.stdout.write(`Invite the bot with:\n  ${inviteUrl(config.DISCORD_APPLICATION_ID)}\n`);
  } catch (err) {
    fail(err, logger);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await registerDiscordCommands(process.argv.slice(2));
}
