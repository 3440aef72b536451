import { describe, expect, it } from 'vitest';
import { START } from '../../../../test/support/coreHarness';
import { ALICE_PASSWORD, useTapisHarness, type TapisHarness } from '../../../../test/support/tapisHarness';
import { REFRESH_MARGIN_MS } from './sessionService';

/** Tapis sessions through the real core: access tokens that expire, refresh tokens that rotate,
 * and OAuth clients managed with the account password. */

const { tapisHarness } = useTapisHarness();

const LIFETIME_MS = 14_400_000; // the reference server's access-token lifetime
const CLIENTS = '/clients/v2';

async function signedIn(options: { rememberPassword?: boolean } = {}): Promise<TapisHarness & { serverId: string }> {
  const t = await tapisHarness();
  const serverId = await t.addServer();
  await t.signIn(serverId, options);
  t.h.events.length = 0;
  return { ...t, serverId };
}

/** Brings Keyport's clock to 30 s before the access token expires: inside the refresh margin,
 * while the server (on the real clock) would still accept the token. */
function nearExpiry(t: TapisHarness): void {
  t.advanceClock(LIFETIME_MS - 30_000);
}

/** The 'servers.changed' events so far (copying also emits clipboard events). */
const serverEvents = (t: TapisHarness) => t.h.events.filter(([name]) => name === 'servers.changed');

const clientRequests = (t: TapisHarness) => t.tapis.requestLog.filter((e) => e.path.startsWith(CLIENTS)).length;

/** The session's access token, as Keyport hands it out. */
async function accessToken(t: TapisHarness, serverId: string): Promise<string> {
  await t.h.call('clipboard.copySession', { serverId, format: 'access-token' });
  return t.h.clipboard.text;
}

describe('a Tapis session that is about to expire', () => {
  it('signs in with an expiry, and a fresh token is used as it is', async () => {
    const t = await signedIn();
    expect(await t.session(t.serverId)).toMatchObject({ state: 'signed-in', method: 'password', expiresAt: new Date(START + LIFETIME_MS).toISOString() });
    await t.h.call('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD });
    t.advanceClock(LIFETIME_MS - REFRESH_MARGIN_MS - 1_000);
    await t.h.call('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD });
    expect(t.tapis.tokenRequests.refresh).toBe(0);
    expect(t.h.events).toEqual([]);
  });

  it('is refreshed before it is used, and the call succeeds', async () => {
    const t = await signedIn();
    const before = await accessToken(t, t.serverId);
    nearExpiry(t);
    const tokens = await t.h.call('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD });
    expect(tokens).toHaveLength(1);
    expect(t.tapis.tokenRequests.refresh).toBe(1);
    // The refresh came first, then the call.
    expect(t.tapis.requestLog.slice(-2).map((e) => [e.path, e.grantType, e.status])).toEqual([
      ['/token', 'refresh_token', 200],
      [CLIENTS, null, 200],
    ]);
    expect(t.tapis.isAccessTokenValid(before)).toBe(false);
    const session = await t.session(t.serverId);
    expect(session).toMatchObject({ state: 'signed-in', method: 'password', expiresAt: new Date(t.h.timers.now() + LIFETIME_MS).toISOString() });
    expect(serverEvents(t)).toEqual([['servers.changed', { serverId: t.serverId }]]);
    // The new token is fresh: the next call refreshes nothing.
    const after = await accessToken(t, t.serverId);
    expect(after).not.toBe(before);
    expect(t.tapis.isAccessTokenValid(after)).toBe(true);
    expect(t.tapis.tokenRequests.refresh).toBe(1);
  });

  it('concurrent calls with a stale token share ONE refresh grant', async () => {
    const t = await signedIn();
    nearExpiry(t);
    const calls = [
      t.h.core.handle('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD }),
      t.h.core.handle('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD }),
      t.h.core.handle('clipboard.copySession', { serverId: t.serverId, format: 'access-token' }),
      t.h.core.handle('auth.refresh', { serverId: t.serverId }),
    ];
    for (const result of await Promise.all(calls)) expect(result.ok).toBe(true);
    expect(t.tapis.tokenRequests.refresh).toBe(1);
    expect(serverEvents(t)).toEqual([['servers.changed', { serverId: t.serverId }]]);
    expect(t.tapis.isAccessTokenValid(t.h.clipboard.text)).toBe(true);
  });

  it('an access token the server ended early is refreshed once when the server refuses it', async () => {
    const t = await signedIn();
    t.tapis.expireAccessTokens('alice');
    const token = await accessToken(t, t.serverId);
    expect(t.tapis.tokenRequests.refresh).toBe(1);
    expect(t.tapis.isAccessTokenValid(token)).toBe(true);
  });

  it('with a revoked refresh token: one attempt, SESSION_EXPIRED, then "expired" and no second attempt', async () => {
    const t = await signedIn();
    t.tapis.revokeRefreshTokens('alice');
    nearExpiry(t);
    const posts = t.tokenPosts();
    expect(await t.h.fail('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD })).toEqual({
      code: 'SESSION_EXPIRED',
      message: 'Your session on Test Tapis has ended.',
      hint: 'Sign in again.',
    });
    expect(t.tokenPosts()).toBe(posts + 1);
    expect(clientRequests(t)).toBe(1); // only the sign-in's client creation
    expect(await t.session(t.serverId)).toEqual({ state: 'expired', message: 'Your session on Test Tapis has ended. Sign in again.' });
    // (Keeping the session's OAuth client for the next sign-in changes the saved secrets.)
    expect(t.h.events.filter(([name]) => name !== 'secrets.changed')).toEqual([['servers.changed', { serverId: t.serverId }]]);
    // Said once on the desktop, too.
    expect(t.h.notifications).toEqual([{ title: 'Sign in again to Test Tapis', body: 'Keyport could not renew your session on Test Tapis. Sign in again to keep using its tokens.' }]);

    expect((await t.h.fail('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD })).code).toBe('NOT_SIGNED_IN');
    expect((await t.h.fail('auth.refresh', { serverId: t.serverId })).code).toBe('NOT_SIGNED_IN');
    expect(t.tokenPosts()).toBe(posts + 1);
    expect(t.h.events.filter(([name]) => name !== 'secrets.changed')).toHaveLength(1);
    expect(t.h.notifications).toHaveLength(1);
  });
});

describe('refreshing a Tapis session', () => {
  it('auth.refresh renews now and returns the server with the new expiry', async () => {
    const t = await signedIn();
    t.advanceClock(60 * 60_000);
    const view = await t.h.call('auth.refresh', { serverId: t.serverId });
    expect(view.session).toMatchObject({ state: 'signed-in', expiresAt: new Date(t.h.timers.now() + LIFETIME_MS).toISOString() });
    expect(t.tapis.tokenRequests.refresh).toBe(1);
  });

  it('keeps the rotated refresh token: every later renewal works', async () => {
    const t = await signedIn();
    for (let i = 1; i <= 3; i++) {
      await t.h.call('auth.refresh', { serverId: t.serverId });
      expect(t.tapis.tokenRequests.refresh).toBe(i);
      expect(t.tapis.requestLog.at(-1)).toMatchObject({ path: '/token', grantType: 'refresh_token', status: 200 });
    }
    // The one Keyport holds is the live one.
    await t.h.call('clipboard.copySession', { serverId: t.serverId, format: 'refresh-token' });
    expect(t.tapis.isRefreshTokenValid(t.h.clipboard.text)).toBe(true);
    nearExpiry(t);
    expect(await t.h.call('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD })).toHaveLength(1);
    expect(t.tapis.tokenRequests.refresh).toBe(4);
  });

  it('is UNSUPPORTED for a kind whose sessions do not expire', async () => {
    const t = await tapisHarness();
    const eds = await t.h.call('servers.add', { name: 'Test EDS', kind: 'eds', url: t.h.eds.url });
    expect((await t.h.fail('auth.refresh', { serverId: eds.id })).code).toBe('UNSUPPORTED');
  });
});

describe('the OAuth client the session uses', () => {
  it('is marked in the list; deleting it signs out, deleting another does not', async () => {
    const t = await signedIn();
    const dependsOn = (await t.session(t.serverId)) as { dependsOn: string | null };
    expect(dependsOn.dependsOn).toMatch(/^keyport-/);
    await t.h.call('tokens.create', { serverId: t.serverId, name: 'other', save: false, password: ALICE_PASSWORD });
    const tokens = await t.h.call('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD });
    expect(tokens.map((x) => [x.id, x.usedBySession])).toEqual([
      [dependsOn.dependsOn, true],
      ['other', false],
    ]);

    t.h.events.length = 0;
    expect(await t.h.call('tokens.revoke', { serverId: t.serverId, tokenId: 'other', password: ALICE_PASSWORD })).toEqual({ signedOut: false });
    expect(await t.session(t.serverId)).toMatchObject({ state: 'signed-in' });
    expect(serverEvents(t), 'another client changes nothing about the server').toEqual([]);

    expect(await t.h.call('tokens.revoke', { serverId: t.serverId, tokenId: dependsOn.dependsOn!, password: ALICE_PASSWORD })).toEqual({ signedOut: true });
    expect(t.tapis.clientNames('alice')).toEqual([]);
    expect(await t.session(t.serverId)).toEqual({ state: 'signed-out' });
    expect(t.h.store.get('secrets') ?? {}).toEqual({});
    // Every window hears that the server is signed out.
    expect(serverEvents(t)).toEqual([['servers.changed', { serverId: t.serverId }]]);
  });
});

describe('the account password for managing OAuth clients', () => {
  it('remembered: token calls work without it, and it is kept encrypted', async () => {
    const t = await signedIn({ rememberPassword: true });
    expect(await t.session(t.serverId)).toMatchObject({ passwordRemembered: true });
    expect(await t.h.call('tokens.list', { serverId: t.serverId })).toHaveLength(1);
    const created = await t.h.call('tokens.create', { serverId: t.serverId, name: 'ci', save: false });
    expect(created.token.name).toBe('ci');
    expect(await t.h.call('tokens.revoke', { serverId: t.serverId, tokenId: 'ci' })).toEqual({ signedOut: false });
    expect(t.h.vaultText()).not.toContain(ALICE_PASSWORD);
    // Signing out forgets it.
    await t.h.call('auth.signOut', { serverId: t.serverId });
    await t.signIn(t.serverId);
    expect(await t.session(t.serverId)).toMatchObject({ passwordRemembered: false });
  });

  it('not remembered: PASSWORD_REQUIRED on the password field, before any request', async () => {
    const t = await signedIn();
    expect(await t.session(t.serverId)).toMatchObject({ passwordRemembered: false });
    const before = t.tapis.requestLog.length;
    for (const [procedure, input] of [
      ['tokens.list', { serverId: t.serverId }],
      ['tokens.create', { serverId: t.serverId, name: 'ci', save: false }],
      ['tokens.revoke', { serverId: t.serverId, tokenId: 'ci' }],
    ] as const) {
      expect(await t.h.fail(procedure, input)).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'password' });
    }
    expect(t.tapis.requestLog).toHaveLength(before);
    expect(await t.h.call('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD })).toHaveLength(1);
  });

  it('a remembered password the server refuses is forgotten; a refused typed one does not touch it', async () => {
    const t = await signedIn({ rememberPassword: true });
    // A typed password the server refuses says nothing about the remembered one.
    expect((await t.h.fail('tokens.list', { serverId: t.serverId, password: 'not-the-fake-password' })).code).toBe('PASSWORD_REQUIRED');
    expect(await t.session(t.serverId)).toMatchObject({ state: 'signed-in', passwordRemembered: true });

    t.tapis.faults.add({ kind: 'status', status: 403, match: /^\/clients\/v2$/, times: 1 });
    expect(await t.h.fail('tokens.list', { serverId: t.serverId })).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'password' });
    expect(await t.session(t.serverId)).toMatchObject({ state: 'signed-in', passwordRemembered: false });
    const before = t.tapis.requestLog.length;
    expect((await t.h.fail('tokens.list', { serverId: t.serverId })).code).toBe('PASSWORD_REQUIRED');
    expect(t.tapis.requestLog).toHaveLength(before);
  });
});

describe('signing in again after a Tapis session ended', () => {
  async function ended(): Promise<TapisHarness & { serverId: string; client: string }> {
    const t = await signedIn();
    const [client] = t.tapis.clientNames('alice');
    t.tapis.revokeRefreshTokens('alice');
    nearExpiry(t);
    await t.h.fail('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD });
    expect(await t.session(t.serverId)).toMatchObject({ state: 'expired' });
    return { ...t, client: client ?? '' };
  }

  it('reuses the OAuth client of the ended session instead of creating another', async () => {
    const t = await ended();
    // Kept meanwhile as the server's saved client (its secret encrypted in the vault).
    await expect.poll(async () => (await t.h.call('secrets.list')).map((x) => x.name)).toEqual([t.client]);
    const creates = t.tapis.requestLog.filter((e) => e.method === 'POST' && e.path === CLIENTS).length;
    await t.signIn(t.serverId); // the default choice: "let Keyport create a client"
    expect(t.tapis.requestLog.filter((e) => e.method === 'POST' && e.path === CLIENTS).length).toBe(creates);
    expect(t.tapis.clientNames('alice')).toEqual([t.client]);
    expect(await t.session(t.serverId)).toMatchObject({ state: 'signed-in', dependsOn: t.client });
    // The session holds the client again; no second copy is kept.
    expect(await t.h.call('secrets.list')).toEqual([]);
    expect(await t.h.call('tokens.list', { serverId: t.serverId, password: ALICE_PASSWORD })).toHaveLength(1);
  });

  it('a kept client the server no longer knows is dropped, and a new one is created', async () => {
    const t = await ended();
    await expect.poll(async () => (await t.h.call('secrets.list')).length).toBe(1);
    t.tapis.deleteClient('alice', t.client);
    await t.signIn(t.serverId);
    const [fresh] = t.tapis.clientNames('alice');
    expect(fresh).not.toBe(t.client);
    expect(await t.session(t.serverId)).toMatchObject({ state: 'signed-in', dependsOn: fresh });
    expect(await t.h.call('secrets.list')).toEqual([]);
  });
});
