import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ExpressReceiver } from '@slack/bolt';
import { describeEachBackend } from '../../test/support/databases.ts';
import { SlackInstallationStore } from './installationStore.ts';
import { slackInstallOptions } from './install.ts';
import { createTokenCipher } from './tokenCrypto.ts';
import { FakeSlack } from './testing/FakeSlack.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error' as never, setName() {} };

describeEachBackend('Slack OAuth install round trip', (ctx) => {
  let fake: FakeSlack;
  let server: Server;
  let base: string;
  let teamId: string;
  let store: SlackInstallationStore;

  beforeEach(async () => {
    teamId = `T${randomBytes(5).toString('hex').toUpperCase()}`;
    fake = await FakeSlack.start({
      teams: [{ id: teamId, name: 'Acme <Ops>', botToken: `xoxb-${randomUUID()}`, botUserId: 'U0BOT' }],
      users: [{ id: 'U0ADMIN', teamId, name: 'ada' }],
      clientId: 'cid', clientSecret: 'csecret',
    });
    store = new SlackInstallationStore({
      db: ctx.db.knex, workspaces: ctx.stores.workspaces, cipher: createTokenCipher(randomBytes(32)), organizationFor: async () => ctx.org.id,
    });
    const receiver = new ExpressReceiver({
      signingSecret: 'signing', logger: quiet,
      ...slackInstallOptions({
        clientId: 'cid', clientSecret: 'csecret', stateSecret: 'a-state-secret-of-some-length', installationStore: store,
        redirectUri: 'https://minutes.example/slack/oauth_redirect', slackApiUrl: fake.apiUrl, dashboardUrl: 'https://minutes.example/',
      }),
    });
    server = receiver.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server.close(r));
    await fake.stop();
  });

  const rows = () => ctx.db.knex('slack_installations').where({ team_id: teamId });

  async function startInstall(): Promise<{ state: string; cookie: string; authorize: URL }> {
    const res = await fetch(`${base}/slack/install`);
    expect(res.status).to.equal(200);
    const html = await res.text();
    const href = /href="([^"]*slack\.com\/oauth\/v2\/authorize[^"]*)"/.exec(html)?.[1];
    expect(href, html).to.be.a('string');
    const authorize = new URL(href!.replace(/&amp;/g, '&'));
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('slack-app-oauth-state='))!.split(';')[0]!;
    const state = authorize.searchParams.get('state')!;
    expect(cookie).to.equal(`slack-app-oauth-state=${state}`);
    return { state, cookie, authorize };
  }

  const callback = (query: string, cookie?: string) => fetch(`${base}/slack/oauth_redirect?${query}`, { headers: cookie ? { cookie } : {} });

  it('installs: the install link sets a signed state, the redirect stores the encrypted installation and maps the workspace', async () => {
    const { state, cookie, authorize } = await startInstall();
    expect(authorize.searchParams.get('client_id')).to.equal('cid');
    expect(authorize.searchParams.get('scope')).to.include('chat:write').and.include('files:read');
    expect(authorize.searchParams.get('redirect_uri')).to.equal('https://minutes.example/slack/oauth_redirect');

    const res = await callback(`code=good-code&state=${encodeURIComponent(state)}`, cookie);
    const html = await res.text();
    expect(res.status, html).to.equal(200);
    expect(html).to.include('is installed in Acme &lt;Ops&gt;').and.not.include('<Ops>');
    const access = fake.callsTo('oauth.v2.access');
    expect(access).to.have.length(1);
    expect(access[0]!.body).to.include({ code: 'good-code', redirect_uri: 'https://minutes.example/slack/oauth_redirect' });

    const [row] = await rows();
    expect(row).to.include({ bot_user_id: 'U0BOT', user_id: 'U0ADMIN', organization_id: ctx.org.id });
    expect(JSON.stringify(row)).to.not.include('xoxb-');
    const creds = await store.botCredentials(teamId);
    expect(creds!.botToken).to.match(/^xoxb-/);
    expect((await ctx.stores.workspaces.find('slack', teamId))).to.include({ organizationId: ctx.org.id, name: 'Acme <Ops>' });
    // The state is single-use per browser: the cookie was cleared.
    expect(res.headers.getSetCookie().join(';')).to.match(/slack-app-oauth-state=;|Max-Age=0|Expires=Thu, 01 Jan 1970/);
  });

  it('refuses a wrong, missing or forged state and stores nothing', async () => {
    const { state, cookie } = await startInstall();
    const other = await startInstall();
    const attempts = [
      await callback(`code=good-code&state=${encodeURIComponent(other.state)}`, cookie), // state of another browser session
      await callback('code=good-code', cookie), // no state
      await callback(`code=good-code&state=${encodeURIComponent(state)}`), // no cookie
      await callback('code=good-code&state=forged', 'slack-app-oauth-state=forged'), // cookie and state agree, signature does not
    ];
    for (const res of attempts) {
      expect(res.status).to.equal(400);
      expect(await res.text()).to.include('The installation did not finish');
    }
    expect(fake.callsTo('oauth.v2.access')).to.have.length(0);
    expect(await rows()).to.have.length(0);
    expect(await ctx.stores.workspaces.find('slack', teamId)).to.equal(null);
  });

  it('shows an error and stores nothing when Slack rejects the code', async () => {
    const { state, cookie } = await startInstall();
    const res = await callback(`code=bad-code&state=${encodeURIComponent(state)}`, cookie);
    expect(res.status).to.equal(502);
    expect(await res.text()).to.include('Slack did not accept the installation');
    expect(fake.callsTo('oauth.v2.access')[0]!.response).to.include({ ok: false, error: 'invalid_code' });
    expect(await rows()).to.have.length(0);
  });

  it('says so when the person cancels on Slack', async () => {
    const { state, cookie } = await startInstall();
    const res = await callback(`error=access_denied&state=${encodeURIComponent(state)}`, cookie);
    expect(res.status).to.equal(400);
    expect(await res.text()).to.include('cancelled');
    expect(await rows()).to.have.length(0);
  });
});
