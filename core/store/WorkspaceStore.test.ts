import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { describeEachBackend } from '../../test/support/databases.ts';

describeEachBackend('WorkspaceStore', (ctx) => {
  it('maps a workspace to one organization, even when two first sights race', async () => {
    const guild = randomUUID();
    let asked = 0;
    const orgFor = async () => { asked++; return ctx.org.id; };
    const [a, b] = await Promise.all([
      ctx.stores.workspaces.resolve('discord', guild, 'Guild', orgFor),
      ctx.stores.workspaces.resolve('discord', guild, 'Guild', orgFor),
    ]);
    expect(a.organizationId).to.equal(ctx.org.id);
    expect(b).to.deep.equal(a);
    const again = await ctx.stores.workspaces.resolve('discord', guild, 'Guild', async () => { throw new Error('not asked for a known workspace'); });
    expect(again.organizationId).to.equal(ctx.org.id);
    expect(asked).to.be.within(1, 2);
  });

  it('merges settings and keeps standing opt-outs per workspace', async () => {
    const guild = randomUUID();
    await ctx.stores.workspaces.resolve('discord', guild, 'Guild', async () => ctx.org.id);
    await ctx.stores.workspaces.updateSettings('discord', guild, { managerRoles: ['1'] });
    const ws = await ctx.stores.workspaces.updateSettings('discord', guild, { retention: 30 });
    expect(ws!.settings).to.deep.equal({ managerRoles: ['1'], retention: 30 });
    await ctx.stores.workspaces.setOptOut('discord', guild, 'u1', true);
    await ctx.stores.workspaces.setOptOut('discord', guild, 'u2', true);
    await ctx.stores.workspaces.setOptOut('discord', guild, 'u2', false);
    expect([...(await ctx.stores.workspaces.optedOut('discord', guild, ['u1', 'u2', 'u3']))]).to.deep.equal(['u1']);
    expect((await ctx.stores.workspaces.optedOut('discord', randomUUID(), ['u1'])).size).to.equal(0);
  });
});
