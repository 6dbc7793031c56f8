import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { MinutesError } from '../core/errors.ts';
import { EXPORT_FORMATS, TRANSCRIPT_FORMATS, type ExportFormat, type TranscriptFormat } from '../core/types.ts';
import { parseTranscript } from '../core/transcript/import/index.ts';
import { exportMeeting } from '../core/transcript/export/index.ts';
import { clock } from '../core/format.ts';
import { registerMinutesCommands } from './commands/minutes.ts';
import { registerTranscribeCommand } from './commands/transcribe.ts';
import { registerAdminCommands } from './commands/admin.ts';
import { registerOpsCommands } from './commands/ops.ts';
import { renderImportSummary } from './commands/render.ts';
import { positiveInt, withContainer } from './commands/run.ts';
import { runService } from './main.ts';

/** `npm run minutes -- <command>`: the service's command line over the same core as the bots. */
const program = new Command('minutes')
  .description('Open meeting minutes: import, summarize, ask, search and export meeting transcripts')
  .showHelpAfterError();

registerAdminCommands(program);

program.command('start').description('run the service: dashboard, API and configured adapters').action(() => runService());

program.command('migrate').description('apply database migrations').action(() =>
  withContainer(async () => {
    // createContainer already migrated; saying so is all that is left.
    process.stdout.write('database is up to date\n');
  }),
);

program
  .command('import <file>')
  .description(`import a transcript (${TRANSCRIPT_FORMATS.join(', ')}) as a completed meeting`)
  .option('--title <title>', 'meeting title (default: from the file)')
  .addOption(new Option('--format <format>', 'input format (default: from the extension or content)').choices(TRANSCRIPT_FORMATS))
  .action((file: string, opts: { title?: string; format?: TranscriptFormat }) =>
    withContainer(async (c) => {
      const size = (await stat(file).catch((cause) => {
        throw new MinutesError('IMPORT_MALFORMED', `Cannot read ${file}: ${(cause as Error).message}`, { cause });
      })).size;
      if (size > c.config.IMPORT_MAX_BYTES) {
        throw new MinutesError('IMPORT_TOO_LARGE', `${file} is ${size} bytes; the limit is ${c.config.IMPORT_MAX_BYTES} (IMPORT_MAX_BYTES)`);
      }
      const transcript = parseTranscript(await readFile(file), { filename: basename(file), format: opts.format, maxBytes: c.config.IMPORT_MAX_BYTES });
      const bar = process.stderr.isTTY && transcript.segments.length > 2000
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'importing [{bar}] {value}/{total} segments' }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(transcript.segments.length, 0);
      const title = opts.title ?? transcript.title ?? basename(file).replace(/\.[^.]+$/, '');
      const result = await c.meetings.importTranscript({
        organizationId: c.defaultOrganization.id,
        transcript,
        title,
        onProgress: (done) => bar?.update(done),
      });
      bar?.stop();
      const speakers = new Set(transcript.segments.map((s) => s.speaker)).size;
      process.stdout.write(`imported ${result.segmentCount} segments from ${speakers} speaker(s) as meeting ${result.meeting.id}\n`);
      process.stdout.write(`  title: ${result.meeting.title}\n  view:  ${c.config.publicUrl}/meetings/${result.meeting.id}\n`);
      // The import event started the minutes; wait for them before the database closes.
      process.stdout.write(`${renderImportSummary(result.meeting.id, await c.autoMinutes.settled(result.meeting.id))}\n`);
    }),
  );

program
  .command('list')
  .description('list meetings, newest first')
  .option('--page <n>', 'page number (50 per page)', positiveInt, 1)
  .action((opts: { page: number }) =>
    withContainer(async (c) => {
      const page = await c.meetings.listMeetings({ organizationId: c.defaultOrganization.id, limit: 50, offset: (opts.page - 1) * 50 });
      if (page.total === 0) {
        process.stdout.write('no meetings yet: try `npm run minutes -- import <transcript file>`\n');
        return;
      }
      for (const m of page.items) {
        const when = (m.startedAt ?? m.createdAt).toISOString().slice(0, 16).replace('T', ' ');
        process.stdout.write(`${m.id}  ${when}  ${m.status.padEnd(11)}  ${m.platform.padEnd(7)}  ${m.title}\n`);
      }
      const last = Math.min(page.offset + page.items.length, page.total);
      process.stdout.write(`-- ${page.offset + 1}–${last} of ${page.total}\n`);
    }),
  );

program
  .command('show <meetingId>')
  .description('show a meeting: attendees and transcript')
  .action((id: string) =>
    withContainer(async (c) => {
      const b = await c.meetings.getBundle(id);
      const out: string[] = [`${b.meeting.title}`, `${b.meeting.status} · ${b.meeting.platform} · ${b.meeting.startedAt?.toISOString() ?? 'not started'}`, ''];
      out.push('Attendees:', ...b.attendees.map((a) => `  ${a.displayName} (${clock(a.talkTimeMs)}${a.consent === 'opted_out' ? ', opted out' : ''})`), '');
      out.push(...b.segments.map((s) => `[${clock(s.startMs)}] ${s.speaker}: ${s.text}`));
      process.stdout.write(`${out.join('\n')}\n`);
    }),
  );

program
  .command('search <query>')
  .description('full-text search across meetings ("phrase", or, -word)')
  .option('--meeting <id>', 'only this meeting')
  .option('--speaker <name>', 'only this speaker')
  .option('--from <date>', 'meetings on or after this date')
  .option('--to <date>', 'meetings before this date')
  .option('--limit <n>', 'results per page', positiveInt, 20)
  .option('--page <n>', 'page number', positiveInt, 1)
  .action((q: string, opts: { meeting?: string; speaker?: string; from?: string; to?: string; limit: number; page: number }) =>
    withContainer(async (c) => {
      const date = (v?: string) => {
        if (!v) return undefined;
        const d = new Date(v);
        if (Number.isNaN(d.getTime())) throw new MinutesError('SEARCH_INVALID', `Not a date: ${v}`);
        return d;
      };
      const r = await c.stores.search.search({
        q, organizationId: c.defaultOrganization.id, meetingId: opts.meeting, speaker: opts.speaker,
        from: date(opts.from), to: date(opts.to), limit: opts.limit, offset: (opts.page - 1) * opts.limit,
      });
      const highlight = (s: string) => unescapeHtml(s.replace(/<mark>/g, process.stdout.isTTY ? '\x1b[1;33m' : '«').replace(/<\/mark>/g, process.stdout.isTTY ? '\x1b[0m' : '»'));
      for (const h of r.hits) {
        process.stdout.write(`${h.meeting.title} [${clock(h.segment.startMs)}] ${h.segment.speaker}: ${highlight(h.snippet)}\n  ${c.config.publicUrl}/meetings/${h.meeting.id}#seg-${h.segment.id}\n`);
      }
      process.stdout.write(`-- ${r.hits.length} shown of ${r.total}${r.capped ? '+' : ''} match(es)\n`);
    }),
  );

program
  .command('export <meetingId>')
  .description('export a meeting as Markdown minutes, JSON, WebVTT or SRT')
  .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('md'))
  .option('--out <file>', 'write to a file instead of stdout')
  .action((id: string, opts: { format: ExportFormat; out?: string }) =>
    withContainer(async (c) => {
      const result = exportMeeting(await c.meetings.getBundle(id), opts.format);
      if (opts.out) {
        await writeFile(opts.out, result.body);
        process.stderr.write(`wrote ${opts.out}\n`);
      } else {
        process.stdout.write(result.body.endsWith('\n') ? result.body : `${result.body}\n`);
      }
    }),
  );

registerMinutesCommands(program);
registerOpsCommands(program);
registerTranscribeCommand(program);

function unescapeHtml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

await program.parseAsync(process.argv);
