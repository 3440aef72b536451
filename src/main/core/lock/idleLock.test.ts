// The idle lock counts only the person's input. A window stays attached and reloads what changed
// after each background renewal (as the renderer does on 'servers.changed'), with 20-second
// access tokens renewed in the background (2 s before they expire: a tenth of their lifetime):
// none of those calls may keep Keyport open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcServer, type OidcServer } from '../../../../test/servers/oidc/oidcServer';
import { personAt } from '../../../../test/support/anacondaPerson';
import { useCoreHarness, type Harness } from '../../../../test/support/coreHarness';

const { harness } = useCoreHarness();
let idp: OidcServer;

beforeAll(async () => {
  idp = await startOidcServer({ https: false, accessTokenTtlSeconds: 20 });
});
afterAll(async () => {
  await idp.close();
});

async function signedInWithRenewals(h: Harness): Promise<string> {
  await h.call('settings.update', { idleLockMinutes: 1 });
  const server = await h.call('servers.add', { name: 'Test IdP', kind: 'oidc', url: idp.url, options: { clientId: idp.confidentialClient.id, clientSecret: idp.confidentialClient.secret } });
  const code = (await h.call('auth.startDeviceSignIn', { serverId: server.id }))!;
  await personAt(code.verificationUriComplete!);
  await h.call('auth.finishDeviceSignIn', { serverId: server.id });
  return server.id;
}

/** A window: on every 'servers.changed' it reloads the list and the server's tokens. */
function attachWindow(h: Harness): { reloads: number } {
  const window = { reloads: 0 };
  h.core.onEvent((event, payload) => {
    if (event !== 'servers.changed') return;
    window.reloads++;
    void h.core.handle('servers.list', undefined);
    void h.core.handle('tokens.list', { serverId: (payload as { serverId: string }).serverId });
    void h.core.handle('secrets.list', undefined);
  });
  return window;
}

const locked = async (h: Harness) => (await h.call('app.status')).storage.locked;

/** Advances the fake clock a second at a time, letting renewals and reloads run, until the
 * lock or `limitMs`; returns when it locked, in ms after the start. */
async function msUntilLocked(h: Harness, limitMs: number): Promise<number | null> {
  const start = h.timers.now();
  while (h.timers.now() - start < limitMs) {
    await h.timers.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (await locked(h)) return h.timers.now() - start;
  }
  return null;
}

describe('idle lock', () => {
  it('locks after 1 minute without input although sessions renew and the window reloads', { timeout: 60_000 }, async () => {
    const h = await harness();
    await signedInWithRenewals(h);
    const window = attachWindow(h);
    const refreshed = idp.stats.refreshed;
    // The clock starts at the last call that counted (the settings change); sign-in took none.
    const at = await msUntilLocked(h, 120_000);
    expect(at).not.toBeNull();
    expect(at!).toBeGreaterThanOrEqual(55_000);
    expect(at!).toBeLessThanOrEqual(65_000);
    // The background did renew (about every 18 s) and the window did reload, before the lock.
    expect(idp.stats.refreshed - refreshed).toBeGreaterThanOrEqual(2);
    expect(window.reloads).toBeGreaterThanOrEqual(2);
  });

  it('starts again at each real input (app.activity)', { timeout: 60_000 }, async () => {
    const h = await harness();
    await signedInWithRenewals(h);
    attachWindow(h);
    expect(await msUntilLocked(h, 40_000)).toBeNull();
    await h.call('app.activity');
    const at = await msUntilLocked(h, 120_000);
    expect(at).not.toBeNull();
    expect(at!).toBeGreaterThanOrEqual(55_000);
    expect(at!).toBeLessThanOrEqual(65_000);
  });
});
