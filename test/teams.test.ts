import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeConnector } from '../adapters/teams/testing/FakeConnector.ts';
import { FakeGraph } from '../adapters/teams/testing/FakeGraph.ts';
import { FakeIdentity } from '../adapters/teams/testing/FakeIdentity.ts';
import { meetingStartActivity, postActivity, teamsMeetingId } from '../adapters/teams/testing/activities.ts';
import { createContainer, type Container } from '../bot/container.ts';
import { startServer, type RunningServer } from '../bot/server.ts';
import { startTeams } from '../bot/teams.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';

/**
 * The production wiring (bot/teams.ts, bot/server.ts): the Teams endpoint sits
 * on the dashboard's own HTTP server ahead of sign-in, checks the channel's
 * token itself, and a meeting start becomes a running meeting with a card.
 */
describe('bot wiring: Teams on the production server', function () {
  this.timeout(120_000);
  let dataDir: string;
  let c: Container;
  let identity: FakeIdentity;
  let connector: FakeConnector;
  let graph: FakeGraph;
  let running: RunningServer;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'minutes-teams-'));
    identity = await FakeIdentity.start();
    connector = await FakeConnector.start({ identity });
    graph = await FakeGraph.start({ identity });
    c = await createContainer(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', TEAMS_APP_ID: identity.appId, TEAMS_APP_PASSWORD: identity.appSecret }), createLogger({ level: 'silent' }));
    await startTeams(c, { overrides: { openIdMetadataUrl: identity.openIdMetadataUrl, tokenUrl: `${identity.baseUrl}/{tenant}/oauth2/v2.0/token`, graphUrl: graph.baseUrl } });
    running = await startServer(c);
  });
  after(async () => {
    await running?.stop();
    await c?.close();
    await Promise.all([identity?.stop(), connector?.stop(), graph?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a meeting start with a valid channel token starts a meeting and posts the notice card; a forged token does nothing', async () => {
    const url = `${running.url}/api/messages`;
    const conversationId = `19:meeting_${randomUUID().replace(/-/g, '')}@thread.v2`;
    const meetingId = teamsMeetingId(conversationId);
    connector.setMeeting(meetingId, {
      details: { id: meetingId, msGraphResourceId: `MSo${randomUUID()}`, title: 'Wiring sync', joinUrl: 'https://teams.microsoft.com/l/meetup-join/y' },
      conversation: { id: conversationId }, organizer: { id: '29:org', aadObjectId: randomUUID(), tenantId: identity.tenantId },
    });
    const activity = meetingStartActivity({ serviceUrl: connector.serviceUrl, appId: identity.appId, conversationId, meetingId, tenantId: identity.tenantId, title: 'Wiring sync' });
    const forged = await postActivity(url, activity, await identity.channelToken({ serviceUrl: connector.serviceUrl, signWithForeignKey: true }));
    expect(forged.status).to.equal(401);
    expect((await c.meetings.listMeetings({ platform: 'teams' })).total).to.equal(0);
    const ok = await postActivity(url, activity, await identity.channelToken({ serviceUrl: connector.serviceUrl }));
    expect(ok.status).to.be.below(300);
    const card = await connector.waitFor((a) => a.method === 'POST' && a.conversationId === conversationId, 15_000);
    expect(JSON.stringify(card.activity)).to.contain('AdaptiveCard');
    const meetings = await c.meetings.listMeetings({ platform: 'teams' });
    expect(meetings.items[0]).to.include({ status: 'in_progress', title: 'Wiring sync' });
    expect((await fetch(`${running.url}/api/meetings`)).status, 'the dashboard API still needs sign-in').to.equal(401);
  });
});
