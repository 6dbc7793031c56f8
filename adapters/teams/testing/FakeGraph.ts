// A loopback Microsoft Graph for meeting transcripts. Paths mirror graph.microsoft.com:
//   GET /v1.0/users/{organizerId}/onlineMeetings?$filter=JoinWebUrl eq '{joinWebUrl}'
//   GET /v1.0/users/{organizerId}/onlineMeetings/{meetingId}
//   GET /v1.0/users/{organizerId}/onlineMeetings/{meetingId}/transcripts
//   GET /v1.0/users/{organizerId}/onlineMeetings/{meetingId}/transcripts/{transcriptId}
//   GET /v1.0/users/{organizerId}/onlineMeetings/{meetingId}/transcripts/{transcriptId}/content?$format=text/vtt
// (`/beta/...` and the OData key form `users('id')/onlineMeetings('id')` are accepted too.)
// Every call needs a bearer token from the FakeIdentity with audience
// https://graph.microsoft.com (or this fake's own base URL, which is what the Teams SDK
// requests when `cloud.graphScope` is pointed at it).
import { randomUUID } from 'node:crypto';
import { GRAPH_AUDIENCE, type FakeIdentity } from './FakeIdentity.ts';
import { startServer, type FakeRequest, type FakeResponse, type LoopbackServer } from './http.ts';

type Transcript = {
  transcriptId: string;
  organizerId: string;
  meetingId: string;
  joinWebUrl?: string;
  subject?: string;
  vtt: string;
  readyAfter: number;
  failFirst: number;
  listCalls: number;
  contentCalls: number;
  createdDateTime: string;
};

export class FakeGraph {
  /** Replaces https://graph.microsoft.com (`${baseUrl}/v1.0/...`). */
  readonly baseUrl: string;
  readonly requests: { method: string; path: string; query: string; status: number; at: number }[] = [];

  private readonly identity: FakeIdentity;
  private readonly server: LoopbackServer;
  private readonly transcripts: Transcript[] = [];
  /** Organizers for whom no application access policy is granted → 403 like real Graph. */
  private readonly denied = new Set<string>();

  private constructor(identity: FakeIdentity, server: LoopbackServer) {
    this.identity = identity;
    this.server = server;
    this.baseUrl = server.baseUrl;
  }

  static async start(options: { identity: FakeIdentity }): Promise<FakeGraph> {
    let self: FakeGraph | undefined;
    const server = await startServer(async (req) => {
      if (!self) return { status: 503 };
      const out = await self.handle(req);
      self.requests.push({ method: req.method, path: req.path, query: req.query.toString(), status: out.status, at: Date.now() });
      return out;
    });
    self = new FakeGraph(options.identity, server);
    return self;
  }

  /**
   * Register a meeting's transcript. `readyAfter` = how many list calls answer with an empty
   * list ("no transcript yet") before it appears; `failFirst` = how many content calls answer 404
   * before the VTT is served.
   */
  addTranscript(input: {
    organizerId: string;
    meetingId: string;
    joinWebUrl?: string;
    subject?: string;
    vtt: string;
    readyAfter?: number;
    failFirst?: number;
  }): { transcriptId: string } {
    const transcriptId = Buffer.from(`1##0##${randomUUID()}`).toString('base64url');
    this.transcripts.push({
      transcriptId,
      organizerId: input.organizerId,
      meetingId: input.meetingId,
      joinWebUrl: input.joinWebUrl,
      subject: input.subject,
      vtt: input.vtt,
      readyAfter: input.readyAfter ?? 0,
      failFirst: input.failFirst ?? 0,
      listCalls: 0,
      contentCalls: 0,
      createdDateTime: new Date().toISOString(),
    });
    return { transcriptId };
  }

  /** Simulate a tenant without an application access policy for this organizer (Graph answers 403). */
  denyOrganizer(organizerId: string): void {
    this.denied.add(organizerId);
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  private async handle(req: FakeRequest): Promise<FakeResponse> {
    const auth = await this.identity.authorize(req.headers, [GRAPH_AUDIENCE, this.baseUrl]);
    if (!auth) {
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
    }
    if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'Only GET is implemented by FakeGraph');
    // users('x')/onlineMeetings('y') → users/x/onlineMeetings/y
    const path = req.path.replace(/([A-Za-z]+)\('([^']*)'\)/g, (_m, name: string, key: string) => `${name}/${key}`);
    const seg = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const [ver, users, organizerId, onlineMeetings, meetingId, transcriptsSeg, transcriptId, contentSeg] = seg;
    if ((ver !== 'v1.0' && ver !== 'beta') || users !== 'users' || !organizerId || onlineMeetings !== 'onlineMeetings') {
      return graphError(400, 'BadRequest', `Unsupported path ${req.path}`);
    }
    if (this.denied.has(organizerId)) {
      return graphError(403, 'Forbidden', 'No application access policy found for this app.');
    }
    const root = `${this.baseUrl}/${ver}`;

    if (!meetingId) {
      const filter = req.query.get('$filter') ?? '';
      const m = /^\s*joinWebUrl\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
      if (!m) return graphError(400, 'BadRequest', "Filter must be JoinWebUrl eq '...'");
      const url = m[1]!.replace(/''/g, "'");
      const found = this.transcripts.find((t) => t.organizerId === organizerId && t.joinWebUrl === url);
      return {
        status: 200,
        body: {
          '@odata.context': `${root}/$metadata#users('${organizerId}')/onlineMeetings`,
          value: found ? [meetingResource(found)] : [],
        },
      };
    }

    const forMeeting = this.transcripts.filter((t) => t.organizerId === organizerId && t.meetingId === meetingId);
    if (forMeeting.length === 0) return graphError(404, 'NotFound', 'The meeting was not found.');
    if (!transcriptsSeg) return { status: 200, body: meetingResource(forMeeting[0]!) };
    if (transcriptsSeg !== 'transcripts') return graphError(400, 'BadRequest', `Unsupported path ${req.path}`);

    if (!transcriptId) {
      const ready: Transcript[] = [];
      for (const t of forMeeting) {
        t.listCalls++;
        if (t.listCalls > t.readyAfter) ready.push(t);
      }
      return {
        status: 200,
        body: {
          '@odata.context': `${root}/$metadata#users('${organizerId}')/onlineMeetings('${meetingId}')/transcripts`,
          '@odata.count': ready.length,
          value: ready.map((t) => transcriptResource(root, t)),
        },
      };
    }
    const t = forMeeting.find((x) => x.transcriptId === transcriptId);
    if (!t || t.listCalls <= t.readyAfter) return graphError(404, 'NotFound', 'The transcript was not found.');
    if (!contentSeg) return { status: 200, body: transcriptResource(root, t) };
    if (contentSeg !== 'content') return graphError(400, 'BadRequest', `Unsupported path ${req.path}`);
    t.contentCalls++;
    if (t.contentCalls <= t.failFirst) return graphError(404, 'NotFound', 'The transcript content is not available yet.');
    const format = req.query.get('$format') ?? String(req.headers.accept ?? '');
    if (format && !format.includes('text/vtt') && !format.includes('*/*') && !format.includes('application/json')) {
      return graphError(400, 'BadRequest', `Invalid format '${format}'`);
    }
    return { status: 200, body: t.vtt, contentType: 'text/vtt' };
  }
}

function meetingResource(t: Transcript) {
  return {
    id: t.meetingId,
    joinWebUrl: t.joinWebUrl ?? null,
    subject: t.subject ?? null,
    participants: { organizer: { identity: { user: { id: t.organizerId } } } },
  };
}

function transcriptResource(root: string, t: Transcript) {
  const url = `${root}/users/${t.organizerId}/onlineMeetings/${t.meetingId}/transcripts/${t.transcriptId}`;
  return {
    id: t.transcriptId,
    meetingId: t.meetingId,
    callId: null,
    contentCorrelationId: randomUUID(),
    transcriptContentUrl: `${url}/content`,
    createdDateTime: t.createdDateTime,
    endDateTime: t.createdDateTime,
    meetingOrganizer: { application: null, device: null, user: { id: t.organizerId, displayName: null, tenantId: null } },
  };
}

function graphError(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } },
  };
}
