import type { Command } from 'commander';
import { translateSummary } from '../../core/ai/translate.ts';
import { MinutesError } from '../../core/errors.ts';
import { answer } from '../../core/meetings/answer.ts';
import { print, withContainer } from './run.ts';
import { renderAnswer, renderMinutes, renderTranslation } from './render.ts';

/** `summarize`, `ask` and `translate`: the minutes intelligence on the command line. */
export function registerMinutesCommands(program: Command): void {
  program
    .command('summarize <meetingId>')
    .description('print the minutes of a meeting (written now if there are none yet)')
    .option('--regenerate', 'write them again; action items someone edited are kept')
    .action((id: string, opts: { regenerate?: boolean }) =>
      withContainer(async (c) => {
        const { view, bundle, generated } = await c.minutes.ensure(id, { regenerate: opts.regenerate === true });
        if (generated) process.stderr.write(`minutes written by ${view.writtenBy}\n`);
        print(renderMinutes(view, bundle, c.config.publicUrl));
      }),
    );

  program
    .command('ask <words...>')
    .usage('<meetingId> "question" | --all "question"')
    .description('answer a question from the transcripts, citing the lines it comes from')
    .option('--all', 'search every meeting instead of one')
    .action((words: string[], opts: { all?: boolean }) =>
      withContainer(async (c) => {
        const [first = '', ...rest] = words;
        const meetingId = opts.all ? undefined : first;
        const question = (opts.all ? words : rest).join(' ').trim();
        if (!question) throw new MinutesError('REQUEST_INVALID', 'Usage: ask <meetingId> "question"  or  ask --all "question"');
        if (meetingId) await c.meetings.getMeeting(meetingId);
        const result = await answer(
          { stores: c.stores, orchestrator: c.orchestrator, logger: c.logger },
          { question, organizationId: c.defaultOrganization.id, ...(meetingId ? { meetingId } : {}) },
        );
        print(renderAnswer(result, c.config.publicUrl));
      }),
    );

  program
    .command('translate <meetingId> <language>')
    .description('translate the summary of a meeting (needs an LLM provider)')
    .action((id: string, language: string) =>
      withContainer(async (c) => {
        // Without a provider, say so before spending time writing minutes that cannot be translated.
        const { view } = c.orchestrator ? await c.minutes.ensure(id) : { view: await c.minutes.view(id) };
        const summary = { abstract: view.abstract ?? '', sections: view.topics };
        const translated = await translateSummary(c.orchestrator, summary, language, { meetingId: id });
        const meeting = await c.meetings.getMeeting(id);
        print(renderTranslation(meeting.title, language, translated));
      }),
    );
}
