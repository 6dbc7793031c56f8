// A loopback Bot Connector service (what Teams' `serviceUrl`, e.g.
// https://smba.trafficmanager.net/amer/, points at). Every call needs
// `Authorization: Bearer <client-credential token from the FakeIdentity>` with
// audience https://api.botframework.com, like the real service.
import { randomUUID } from 'node:crypto';
import { BOT_CONNECTOR_AUDIENCE, type FakeIdentity } from './FakeIdentity.ts';
import { startServer, type FakeRequest, type FakeResponse, type LoopbackServer } from './http.ts';

export type RecordedActivity = {
  method: 'POST' | 'PUT' | 'DELETE';
  conversationId: string;
  /** For PUT/DELETE the updated activity; for POST the id the connector assigned. */
  activityId?: string;
  /** For POST …/activities/:replyTo. */
  replyToId?: string;
  activity: any;
  at: number;
};

export type Member = { id: string; name: string; aadObjectId: string; [k: string]: unknown };

export type MeetingInfo = {
  id?: string;
  details: { id: string; joinUrl?: string; msGraphResourceId?: string; title?: string; type?: string; scheduledStartTime?: string; scheduledEndTime?: string; [k: string]: unknown };
  conversation?: { id: string; conversationType?: string; isGroup?: boolean; [k: string]: unknown };
  organizer: { id: string; aadObjectId: string; tenantId: string; [k: string]: unknown };
};

type Waiter = { predicate: (a: RecordedActivity) => boolean; resolve: (a: RecordedActivity) => void };

export class FakeConnector {
  /** `http://127.0.0.1:PORT/teams/` — trailing slash like Teams' smba URLs. */
  readonly serviceUrl: string;
  readonly activities: RecordedActivity[] = [];
  /** Every request, including refused ones. */
  readonly requests: { method: string; path: string; authorized: boolean; at: number }[] = [];
  /** Conversations created with POST /v3/conversations. */
  readonly createdConversations: { id: string; params: any }[] = [];
  /** Extra accepted token audiences (default: https://api.botframework.com). */
  readonly audiences: string[];

  private readonly identity: FakeIdentity;
  private readonly server: LoopbackServer;
  private readonly members = new Map<string, Member[]>();
  private readonly meetings = new Map<string, MeetingInfo>();
  private readonly failures: { predicate: (r: { method: string; path: string }) => boolean; status: number; remaining: number }[] = [];
  private waiters: Waiter[] = [];
  private nextId = 1;

  private constructor(identity: FakeIdentity, server: LoopbackServer, audiences: string[]) {
    this.identity = identity;
    this.server = server;
    this.serviceUrl = `${server.baseUrl}/teams/`;
    this.audiences = audiences;
  }

  static async start(options: { identity: FakeIdentity; audiences?: string[] }): Promise<FakeConnector> {
    let self: FakeConnector | undefined;
    const server = await startServer((req) => (self ? self.handle(req) : { status: 503 }));
    self = new FakeConnector(options.identity, server, options.audiences ?? [BOT_CONNECTOR_AUDIENCE]);
    return self;
  }

  setMembers(conversationId: string, members: Member[]): void {
    this.members.set(conversationId, members);
  }

  /** Register what GET /v1/meetings/:meetingId returns. */
  setMeeting(meetingId: string, info: MeetingInfo): void {
    this.meetings.set(meetingId, info);
  }

  /** Make the next `times` matching requests fail with `status` (e.g. 429/503 to test retries). */
  failNext(predicate: (r: { method: string; path: string }) => boolean, status = 503, times = 1): void {
    this.failures.push({ predicate, status, remaining: times });
  }

  /** Resolves with the first recorded activity (already recorded or future) that matches. */
  waitFor(predicate: (a: RecordedActivity) => boolean, timeoutMs = 5000): Promise<RecordedActivity> {
    const found = this.activities.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise<RecordedActivity>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`FakeConnector.waitFor timed out after ${timeoutMs} ms; recorded: ${JSON.stringify(this.activities.map((a) => ({ method: a.method, conversationId: a.conversationId, type: a.activity?.type, text: a.activity?.text })))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) w.resolve = () => {};
    this.waiters = [];
    await this.server.close();
  }

  private record(a: RecordedActivity): void {
    this.activities.push(a);
    const pending = this.waiters;
    this.waiters = [];
    for (const w of pending) {
      if (w.predicate(a)) w.resolve(a);
      else this.waiters.push(w);
    }
  }

  private async handle(req: FakeRequest): Promise<FakeResponse> {
    const at = Date.now();
    const authorized = (await this.identity.authorize(req.headers, this.audiences)) !== undefined;
    this.requests.push({ method: req.method, path: req.path, authorized, at });
    if (!authorized) return { status: 401, body: { message: 'Authorization has been denied for this request.' } };
    const failure = this.failures.find((f) => f.remaining > 0 && f.predicate({ method: req.method, path: req.path }));
    if (failure) {
      failure.remaining--;
      return { status: failure.status, body: { error: { code: 'ServiceError', message: 'injected failure' } } };
    }
    // Accept the service URL prefix (/teams) or none.
    const path = req.path.replace(/^\/teams(?=\/)/, '');
    const seg = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));

    // /v3/conversations
    if (seg[0] === 'v3' && seg[1] === 'conversations') {
      if (seg.length === 2 && req.method === 'POST') {
        const params = req.body ?? {};
        const id = `a:${randomUUID()}`;
        this.createdConversations.push({ id, params });
        let activityId: string | undefined;
        if (params.activity) {
          activityId = this.newId();
          this.record({ method: 'POST', conversationId: id, activityId, activity: params.activity, at });
        }
        return { status: 201, body: { id, activityId, serviceUrl: this.serviceUrl } };
      }
      const conversationId = seg[2];
      if (!conversationId) return notFound();
      if (seg[3] === 'activities') {
        const activityId = seg[4];
        if (req.method === 'POST' && seg.length <= 5) {
          const id = this.newId();
          this.record({ method: 'POST', conversationId, activityId: id, replyToId: activityId, activity: req.body, at });
          return { status: 201, body: { id } };
        }
        if (req.method === 'PUT' && activityId && seg.length === 5) {
          this.record({ method: 'PUT', conversationId, activityId, activity: req.body, at });
          return { status: 200, body: { id: activityId } };
        }
        if (req.method === 'DELETE' && activityId && seg.length === 5) {
          this.record({ method: 'DELETE', conversationId, activityId, activity: undefined, at });
          return { status: 200, body: {} };
        }
        if (req.method === 'GET' && activityId && seg[5] === 'members') {
          return { status: 200, body: this.members.get(conversationId) ?? [] };
        }
      }
      if (seg[3] === 'members' && req.method === 'GET') {
        const roster = this.members.get(conversationId) ?? [];
        if (seg[4]) {
          const m = roster.find((x) => x.id === seg[4] || x.aadObjectId === seg[4]);
          return m ? { status: 200, body: m } : notFound('MemberNotFoundInConversation');
        }
        return { status: 200, body: roster };
      }
      if (seg[3] === 'pagedmembers' || seg[3] === 'pagedMembers') {
        return { status: 200, body: { members: this.members.get(conversationId) ?? [] } };
      }
    }
    // /v1/meetings/:meetingId[/participants/:id]
    if (seg[0] === 'v1' && seg[1] === 'meetings' && seg[2] && req.method === 'GET') {
      const meeting = this.meetings.get(seg[2]);
      if (!meeting) return notFound('MeetingNotFound');
      if (seg[3] === 'participants' && seg[4]) {
        const inRoster = [...this.members.values()].flat().find((m) => m.aadObjectId === seg[4]);
        if (!inRoster) return notFound('ParticipantNotFound');
        return {
          status: 200,
          body: {
            user: { ...inRoster, tenantId: meeting.organizer.tenantId },
            meeting: { role: inRoster.aadObjectId === meeting.organizer.aadObjectId ? 'Organizer' : 'Attendee', inMeeting: true },
            conversation: meeting.conversation ?? { id: '' },
          },
        };
      }
      return { status: 200, body: { id: meeting.id ?? seg[2], ...meeting } };
    }
    return notFound();
  }

  private newId(): string {
    return `${Date.now()}${String(this.nextId++).padStart(4, '0')}`;
  }
}

function notFound(code = 'NotFound'): FakeResponse {
  return { status: 404, body: { error: { code, message: 'Not found' } } };
}
