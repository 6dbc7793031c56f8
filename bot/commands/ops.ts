import type { Command } from 'commander';
import { buildSchedules } from '../schedule.ts';
import { print, positiveInt, withContainer } from './run.ts';

/** Operator commands: the job queue's dead letters, and running a scheduled task by hand. */
export function registerOpsCommands(program: Command): void {
  program
    .command('jobs')
    .description('background jobs: counts and dead letters (failed after every attempt); --retry <id> runs one again')
    .option('--retry <id>', 'move this dead job back to the queue')
    .option('--limit <n>', 'dead letters shown', positiveInt, 20)
    .action((opts: { retry?: string; limit: number }) =>
      withContainer(async (c) => {
        if (c.jobs.kind === 'in-process') {
          print('jobs run inside the service process (no REDIS_URL): see GET /api/admin/jobs on its dashboard, or set REDIS_URL to share the queue');
          return;
        }
        if (opts.retry) {
          print((await c.jobs.retryDead(opts.retry)) ? `job ${opts.retry} queued again` : `no dead job ${opts.retry}`);
          return;
        }
        const counts = await c.jobs.counts();
        print(`queue ${c.jobs.kind}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
        for (const d of await c.jobs.deadLetters(opts.limit)) {
          print(`${d.failedAt.toISOString()}  ${d.name}  ${d.id}  after ${d.attempts} attempt(s): ${d.error}`);
        }
      }),
    );

  const schedule = program.command('schedule').description('scheduled work: digests, reminders, retention, stale meetings');
  schedule.command('list').description('the tasks and when they run').action(() =>
    withContainer(async (c) => {
      const built = buildSchedules(c);
      for (const t of built.scheduler.tasks) print(`${t.name.padEnd(16)} ${t.cron}`);
      await built.close();
    }),
  );
  schedule
    .command('run <task>')
    .description('run one task now (without the cross-instance lock) and print what it did')
    .action((name: string) =>
      withContainer(async (c) => {
        const built = buildSchedules(c);
        try {
          const result = await built.scheduler.runNow(name);
          if (result.error) throw result.error;
          print(`${name}: ${Object.entries(result.report ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'done'}`);
        } finally {
          await built.close();
        }
      }),
    );
}
