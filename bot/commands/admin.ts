import type { Command } from 'commander';
import { MinutesError } from '../../core/errors.ts';
import { announceAdminLink } from '../auth.ts';
import { print, withContainer } from './run.ts';

/** Password read from MINUTES_ADMIN_PASSWORD or stdin, never from argv (which `ps` shows to everyone). */
async function readPassword(): Promise<string> {
  if (process.env.MINUTES_ADMIN_PASSWORD) return process.env.MINUTES_ADMIN_PASSWORD;
  if (process.stdin.isTTY) throw new MinutesError('REQUEST_INVALID', 'Pipe the password on stdin or set MINUTES_ADMIN_PASSWORD');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('dashboard administrators');
  admin
    .command('create <email>')
    .description('create an administrator of the default organization with a password (from stdin or MINUTES_ADMIN_PASSWORD)')
    .option('--name <name>', 'display name', 'Administrator')
    .action((email: string, opts: { name: string }) =>
      withContainer(async (c) => {
        const password = await readPassword();
        const user = await c.auth.createAdmin({ organizationId: c.defaultOrganization.id, email, password, displayName: opts.name });
        print(`administrator ${user.email} created; sign in at ${c.config.publicUrl}/login`);
      }),
    );
  admin
    .command('link')
    .description('print a one-time sign-in link for the local administrator (while no administrator has a password)')
    .action(() =>
      withContainer(async (c) => {
        const url = await announceAdminLink(c, c.auth);
        print(url ?? 'an administrator with a password exists: sign in at /login (or ask a bot for /minutes link)');
      }),
    );
}
