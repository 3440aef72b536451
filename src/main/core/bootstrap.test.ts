// app.bootstrap: the window's one start-up call answers what five calls did.
import { describe, expect, it } from 'vitest';
import { useCoreHarness } from '../../../test/support/coreHarness';

const { harness } = useCoreHarness();

describe('app.bootstrap', () => {
  it('answers the status, kinds, servers, settings and saved tokens of the separate calls', async () => {
    const h = await harness();
    const server = await h.call('servers.add', { name: 'Enthought', kind: 'eds', url: h.eds.url });
    await h.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: 'wonderland-secret' });
    await h.call('tokens.create', { serverId: server.id, name: 'kept', save: true });
    await h.call('settings.update', { theme: 'dark' });
    const bootstrap = await h.call('app.bootstrap');
    expect(bootstrap).toEqual({
      status: await h.call('app.status'),
      kinds: await h.call('kinds.list'),
      servers: await h.call('servers.list'),
      settings: await h.call('settings.get'),
      saved: await h.call('secrets.list'),
    });
    expect(bootstrap.saved.map((s) => s.name)).toEqual(['kept']);
    expect(bootstrap.settings.theme).toBe('dark');
  });
});
