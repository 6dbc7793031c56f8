import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Installation } from '@slack/oauth';
import { isMinutesError } from '../../core/errors.ts';
import { describeEachBackend } from '../../test/support/databases.ts';
import { SlackInstallationStore, createClientFor, organizationPerWorkspace } from './installationStore.ts';
import { createTokenCipher, parseTokenKey, tokenCipherFromEnv } from './tokenCrypto.ts';

export function sampleInstallation(teamId: string, token = `xoxb-${randomUUID()}`): Installation<'v2', false> {
  return {
    team: { id: teamId, name: `Team ${teamId}` },
    enterprise: undefined,
    user: { token: `xoxp-user-${teamId}`, scopes: ['identify'], id: 'UINSTALLER' },
    bot: { token, scopes: ['chat:write', 'files:read', 'commands'], id: 'BBOT', userId: 'UBOT' },
    appId: 'A123',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  };
}

describe('tokenCrypto', () => {
  it('round-trips with a base64 or hex key and never repeats a ciphertext', () => {
    const key = randomBytes(32);
    for (const written of [key.toString('base64'), key.toString('hex'), key.toString('base64url')]) {
      const cipher = createTokenCipher(written);
      const a = cipher.encrypt('xoxb-secret', 'T:1');
      expect(a).to.match(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
      expect(cipher.encrypt('xoxb-secret', 'T:1')).to.not.equal(a);
      expect(cipher.decrypt(a, 'T:1')).to.equal('xoxb-secret');
    }
  });

  it('refuses missing, short and undecryptable keys with coded errors', () => {
    const reason = (f: () => unknown) => {
      try { f(); } catch (err) { if (isMinutesError(err, 'CONFIG_INVALID')) return err.details.reason; throw err; }
      throw new Error('did not throw');
    };
    expect(reason(() => tokenCipherFromEnv({}))).to.equal('SLACK_TOKEN_KEY_MISSING');
    expect(reason(() => parseTokenKey(randomBytes(16).toString('base64')))).to.equal('SLACK_TOKEN_KEY_INVALID');
    expect(reason(() => parseTokenKey('not a key!'))).to.equal('SLACK_TOKEN_KEY_INVALID');
    const sealed = createTokenCipher(randomBytes(32)).encrypt('xoxb-secret', 'T:1');
    expect(reason(() => createTokenCipher(randomBytes(32)).decrypt(sealed, 'T:1'))).to.equal('SLACK_TOKEN_UNDECRYPTABLE');
    const right = createTokenCipher(randomBytes(32));
    expect(reason(() => right.decrypt(right.encrypt('x', 'T:1'), 'T:2'))).to.equal('SLACK_TOKEN_UNDECRYPTABLE');
    expect(reason(() => right.decrypt('xoxb-plaintext'))).to.equal('SLACK_TOKEN_FORMAT');
  });
});

describeEachBackend('SlackInstallationStore', (ctx) => {
  const key = randomBytes(32);
  const store = () => new SlackInstallationStore({
    db: ctx.db.knex, workspaces: ctx.stores.workspaces, cipher: createTokenCipher(key), organizationFor: async () => ctx.org.id,
  });

  it('stores, fetches and deletes an installation, mapping the workspace to an organization', async () => {
    const teamId = `T${randomUUID()}`;
    const installation = sampleInstallation(teamId);
    await store().storeInstallation(installation);
    expect(await store().fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false })).to.deep.equal(JSON.parse(JSON.stringify(installation)));
    const ws = await ctx.stores.workspaces.find('slack', teamId);
    expect(ws).to.include({ organizationId: ctx.org.id, name: `Team ${teamId}` });
    const creds = await store().botCredentials(teamId);
    expect(creds).to.deep.include({ botToken: installation.bot!.token, botUserId: 'UBOT', botId: 'BBOT', organizationId: ctx.org.id });
    expect(creds!.scopes).to.deep.equal(['chat:write', 'files:read', 'commands']);
    expect(await store().teams({ organizationId: ctx.org.id })).to.deep.equal([teamId]);

    const clientFor = createClientFor({ installations: store() });
    expect((await clientFor(teamId))!.token).to.equal(installation.bot!.token);
    expect(await clientFor('TUNKNOWN')).to.equal(null);
    expect((await createClientFor({ installations: store(), botToken: 'xoxb-single' })('TUNKNOWN'))!.token).to.equal('xoxb-single');

    // A reinstall replaces the token.
    await store().storeInstallation(sampleInstallation(teamId, 'xoxb-rotated'));
    expect((await store().botCredentials(teamId))!.botToken).to.equal('xoxb-rotated');

    await store().deleteInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });
    const missing = await store().fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false }).catch((e: Error & { code?: string }) => e);
    expect(missing).to.have.property('code', 'SLACK_INSTALLATION_NOT_FOUND');
    expect(await store().botCredentials(teamId)).to.equal(null);
  });

  it('keeps no token in the clear', async () => {
    const teamId = `T${randomUUID()}`;
    const installation = sampleInstallation(teamId, 'xoxb-very-secret-token');
    await store().storeInstallation(installation);
    const row = await ctx.db.knex('slack_installations').where({ team_id: teamId }).first();
    const dump = JSON.stringify(row);
    expect(dump).to.not.include('xoxb-very-secret-token');
    expect(dump).to.not.include(installation.user.token!);
    expect(row.bot_token_enc).to.match(/^v1:/);
    expect(row.installation_enc).to.match(/^v1:/);
    expect(row).to.include({ bot_user_id: 'UBOT', user_id: 'UINSTALLER', is_enterprise_install: false });
  });

  it('fails clearly, never with garbage, when the key changed', async () => {
    const teamId = `T${randomUUID()}`;
    await store().storeInstallation(sampleInstallation(teamId));
    const other = new SlackInstallationStore({
      db: ctx.db.knex, workspaces: ctx.stores.workspaces, cipher: createTokenCipher(randomBytes(32)), organizationFor: async () => ctx.org.id,
    });
    const err = await other.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false }).catch((e: unknown) => e);
    expect(isMinutesError(err, 'CONFIG_INVALID') && err.details.reason).to.equal('SLACK_TOKEN_UNDECRYPTABLE');
    const err2 = await other.botCredentials(teamId).catch((e: unknown) => e);
    expect(isMinutesError(err2, 'CONFIG_INVALID')).to.equal(true);
  });

  it('stores an org-wide install under its enterprise and creates one organization per workspace by default', async () => {
    const enterpriseId = `E${randomUUID()}`;
    const org = { ...sampleInstallation('unused'), team: undefined, enterprise: { id: enterpriseId, name: 'Grid' }, isEnterpriseInstall: true } as unknown as Installation;
    await store().storeInstallation(org);
    expect(await store().fetchInstallation({ teamId: undefined, enterpriseId, isEnterpriseInstall: true })).to.deep.include({ isEnterpriseInstall: true });
    expect((await store().botCredentials(`T${randomUUID()}`, enterpriseId))!.enterpriseId).to.equal(enterpriseId);

    const teamId = `T${randomUUID()}`;
    const perWorkspace = new SlackInstallationStore({
      db: ctx.db.knex, workspaces: ctx.stores.workspaces, cipher: createTokenCipher(key), organizationFor: organizationPerWorkspace(ctx.stores.organizations),
    });
    await perWorkspace.storeInstallation(sampleInstallation(teamId));
    const ws = await ctx.stores.workspaces.find('slack', teamId);
    expect((await ctx.stores.organizations.get(ws!.organizationId)).name).to.equal(`Slack: Team ${teamId} (${teamId})`);
  });
});
