// The npm kind through the real core (test adapters) on the reference registry for
// registry.npmjs.org: a web-based OTP confirmation the person never finishes is ended by Cancel
// (`auth.cancelSignIn`), nothing is created, and the session stays.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCore, type TestCore } from '../../../../../test/support/testCore';
import { startNpmjsServer, type NpmjsServer } from '../../../../../test/servers/npmjs/npmjsServer';

let registry: NpmjsServer;
let keyport: TestCore;
let serverId: string;
/** Whom the person approves in the browser as; null: leaves confirmations open. */
let approveAs: string | null;

beforeEach(async () => {
  registry = await startNpmjsServer();
  approveAs = 'carol';
  keyport = createTestCore({ openBrowser: async (url) => void (approveAs ? await registry.person(url, { approveAs }) : undefined), signInTimeoutMs: 30_000 });
  serverId = (await keyport.call('servers.add', { name: 'npmjs', kind: 'npm', url: registry.url })).id;
  await keyport.call('auth.signInWithBrowser', { serverId });
  registry.setOtpMode('web');
});
afterEach(async () => {
  await keyport.core.dispose();
  await registry.close();
});

describe('web-based OTP through the core', () => {
  it('Cancel ends the wait for a confirmation in the browser: CANCELLED, nothing created, still signed in', async () => {
    approveAs = null;
    const creating = keyport.call('tokens.create', { serverId, name: 'never-confirmed', save: false, fields: {}, password: registry.users[1]!.password });
    await expect.poll(() => keyport.opened.length, { timeout: 5_000 }).toBe(2);
    const startedAt = Date.now();
    await keyport.call('auth.cancelSignIn', { serverId });
    await expect(creating).rejects.toThrow(/CANCELLED/);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(registry.tokens('carol')).toHaveLength(0);
    expect((await keyport.call('servers.list'))[0]?.session.state).toBe('signed-in');
    // A later confirmation is not cancelled by the earlier Cancel.
    approveAs = 'carol';
    await keyport.call('tokens.create', { serverId, name: 'confirmed', save: false, fields: {}, password: registry.users[1]!.password });
    expect((await keyport.call('tokens.list', { serverId })).map((t) => t.name)).toEqual(['confirmed']);
  });
});
