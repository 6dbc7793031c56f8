import type { Router } from 'express';
import { MinutesError } from '../../core/errors.ts';
import type { ActionItemFilter } from '../../core/store/index.ts';
import { ACTION_STATUSES, PRIORITIES, type ActionItem, type ActionStatus } from '../../core/types.ts';
import { page, pageNumber, pager, render, str, type WebDeps } from './render.ts';

const PER_PAGE = 50;
const SEARCH_PER_PAGE = 20;
const OPEN: ActionStatus[] = ['pending', 'in_progress'];
export const TABS = [
  { id: 'open', label: 'All open' },
  { id: 'mine', label: 'Mine' },
  { id: 'overdue', label: 'Overdue' },
  { id: 'owner', label: 'By owner' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** The action-item board across meetings, and full-text search. */
export function boardPages(router: Router, deps: WebDeps): void {
  const { stores } = deps;

  router.get('/actions', page(deps, async (req, res) => {
    const tab: Tab = TABS.find((t) => t.id === req.query.tab)?.id ?? 'open';
    const current = pageNumber(req.query.page);
    const user = deps.userOf?.(req) ?? null;
    const organizationId = deps.orgOf(req);
    const base = { title: 'Action items', nav: 'actions', tabs: TABS, tab, statuses: ACTION_STATUSES, priorities: PRIORITIES, scripts: ['/static/app.js', '/static/actions.js'] };
    if (tab === 'mine' && !user) {
      render(req, res, deps, 'actions', { ...base, groups: [], signInNeeded: true, pager: pager('/actions', { tab }, 1, 0, PER_PAGE), total: 0 });
      return;
    }
    const filter: ActionItemFilter = { organizationId, status: OPEN, limit: PER_PAGE, offset: (current - 1) * PER_PAGE };
    if (tab === 'mine') filter.ownerUserId = user!.id;
    if (tab === 'overdue') filter.dueBefore = new Date().toISOString().slice(0, 10);
    const found = await stores.minutes.pageActionItems(filter);
    const titles = await meetingTitles(deps, found.items);
    const rows = found.items.map((a) => ({ ...a, meetingTitle: titles.get(a.meetingId) ?? '' }));
    render(req, res, deps, 'actions', {
      ...base, groups: tab === 'owner' ? byOwner(rows) : [{ owner: null, rows }], signInNeeded: false, total: found.total,
      pager: pager('/actions', { tab }, current, found.total, PER_PAGE),
    });
  }));

  router.get('/search', page(deps, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const meetingId = str(req.query.meeting);
    const current = pageNumber(req.query.page);
    const base = { title: q.trim() ? `Search: ${q}` : 'Search', nav: 'search', q, meetingId: meetingId ?? '' };
    if (!q.trim()) {
      render(req, res, deps, 'search', { ...base, result: null, error: null });
      return;
    }
    try {
      const result = await stores.search.search({
        q, organizationId: deps.orgOf(req), ...(meetingId ? { meetingId } : {}), limit: SEARCH_PER_PAGE, offset: (current - 1) * SEARCH_PER_PAGE,
      });
      render(req, res, deps, 'search', { ...base, result, error: null, pager: pager('/search', { q, meeting: meetingId }, current, result.total, SEARCH_PER_PAGE) });
    } catch (err) {
      if (!(err instanceof MinutesError) || err.code !== 'SEARCH_INVALID') throw err;
      render(req, res, deps, 'search', { ...base, result: null, error: err.message }, 400);
    }
  }));
}

async function meetingTitles(deps: WebDeps, items: ActionItem[]): Promise<Map<string, string>> {
  const ids = [...new Set(items.map((a) => a.meetingId))];
  const found = await Promise.all(ids.map((id) => deps.stores.meetings.find(id)));
  return new Map(found.filter((m) => m !== null).map((m) => [m.id, m.title]));
}

function byOwner<T extends ActionItem>(rows: T[]): { owner: string; rows: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const owner = row.ownerName ?? 'Unassigned';
    groups.set(owner, [...(groups.get(owner) ?? []), row]);
  }
  return [...groups].sort(([a], [b]) => (a === 'Unassigned' ? 1 : b === 'Unassigned' ? -1 : a.localeCompare(b))).map(([owner, r]) => ({ owner, rows: r }));
}
