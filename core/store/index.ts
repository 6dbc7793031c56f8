import type { Knex } from 'knex';
import { AttendeeStore } from './AttendeeStore.ts';
import { LedgerStore } from './LedgerStore.ts';
import { MeetingStore } from './MeetingStore.ts';
import { MinutesStore } from './MinutesStore.ts';
import { OrganizationStore } from './OrganizationStore.ts';
import { SearchStore } from './SearchStore.ts';
import { TranscriptStore } from './TranscriptStore.ts';
import { WorkspaceStore } from './WorkspaceStore.ts';

export * from './db.ts';
export { AttendeeStore, LedgerStore, MeetingStore, MinutesStore, OrganizationStore, SearchStore, TranscriptStore, WorkspaceStore };
export type { Workspace } from './WorkspaceStore.ts';
export type { MeetingFilter, NewMeeting, Page } from './MeetingStore.ts';
export type { SearchHit, SearchQuery, SearchResult } from './SearchStore.ts';
export type { SegmentRow } from './TranscriptStore.ts';
export type { ActionItemFilter, ActionItemPatch, NewActionItem } from './MinutesStore.ts';
export type { UsageTotals } from './LedgerStore.ts';

/** All repositories over one knex handle (the pool, or a transaction). */
export interface Stores {
  organizations: OrganizationStore;
  meetings: MeetingStore;
  attendees: AttendeeStore;
  transcripts: TranscriptStore;
  search: SearchStore;
  minutes: MinutesStore;
  /** LLM usage: tokens and cost per meeting and provider. */
  ledger: LedgerStore;
  /** Platform workspaces → organizations, their settings, standing consent. */
  workspaces: WorkspaceStore;
  /** Runs `work` with stores bound to one transaction: all of it is stored, or none. */
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
}

export function createStores(db: Knex, options: { searchCandidateCap?: number } = {}): Stores {
  return {
    organizations: new OrganizationStore(db),
    meetings: new MeetingStore(db),
    attendees: new AttendeeStore(db),
    transcripts: new TranscriptStore(db),
    search: new SearchStore(db, options.searchCandidateCap),
    minutes: new MinutesStore(db),
    ledger: new LedgerStore(db),
    workspaces: new WorkspaceStore(db),
    transaction: (work) => db.transaction((trx) => work(createStores(trx, options))),
  };
}
