import { describe, expect, it } from 'vitest';
import { START, useCoreHarness, type Harness } from '../../../../test/support/coreHarness';
import { REFRESH_MARGIN_MS, refreshMarginMs } from './sessionService';

const { harness } = useCoreHarness();

// ---------------------------------------------------------------------------------------------

const AUTH = /\/auth\/tokens\/auth$/;
const LIST = /\/auth\/tokens\/api$/;
const PASSWORD = 'wonderland-secret'; // the reference server's password for alice

async function addServer(h: Harness): Promise<string> {
  const view = await h.call('servers.add', { name: 'Test EDS', kind: 'eds', url: h.eds.url });
  return view.id;
}

async function signedInWithPassword(): Promise<{ h: Harness; serverId: string }> {
  const h = await harness();
  const serverId = await addServer(h);
  await h.call('auth.signInWithPassword', { serverId, username: 'alice', password: PASSWORD });
  return { h, serverId };
}

async function signedInWithToken(options: { cipher?: 'aes' | 'unavailable' } = {}): Promise<{ h: Harness; serverId: string; token: string }> {
  const h = await harness(options);
  const serverId = await addServer(h);
  const token = h.eds.createApiToken('alice', 'laptop');
  await h.call('auth.signInWithToken', { serverId, token });
  return { h, serverId, token };
}

/** Forgets what happened so far, so counts start at zero. */
function reset(h: Harness): void {
  h.eds.requestLog.length = 0;
  h.events.length = 0;
}

async function sessionOf(h: Harness, serverId: string) {
  const servers = await h.call('servers.list');
  return servers.find((s) => s.id === serverId)?.session;
}

function storedSecrets(h: Harness): Array<{ purpose: string; serverId: string }> {
  const secrets = (h.store.get('secrets') ?? {}) as Record<string, { meta: { purpose: string; serverId: string } }>;
  return Object.values(secrets).map((s) => ({ purpose: s.meta.purpose, serverId: s.meta.serverId }));
}

describe('signing in', () => {
  it('with a password: signed in as the server says, the password kept nowhere', async () => {
    const { h, serverId } = await signedInWithPassword();
    expect(await sessionOf(h, serverId)).toEqual({
      state: 'signed-in',
      user: { name: 'alice', email: 'alice@example.com' },
      method: 'password',
      signedInAt: new Date(START).toISOString(),
      persisted: true,
      expiresAt: null,
      dependsOn: null,
      passwordRemembered: false,
    });
    expect(storedSecrets(h)).toEqual([{ purpose: 'session', serverId }]);
    expect(h.vaultText()).not.toContain(PASSWORD);
  });

  it('with a token: the session and the token are kept, encrypted', async () => {
    const { h, serverId, token } = await signedInWithToken();
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'signed-in', method: 'token', user: { name: 'alice' } });
    expect(storedSecrets(h).map((s) => s.purpose).sort()).toEqual(['credential', 'session']);
    expect(h.vaultText()).not.toContain(token);
  });

  it('a wrong password leaves the server signed out and stores nothing', async () => {
    const h = await harness();
    const serverId = await addServer(h);
    const error = await h.fail('auth.signInWithPassword', { serverId, username: 'alice', password: 'fake-wrong-password' });
    expect(error.code).toBe('AUTH_FAILED');
    expect(JSON.stringify(error)).not.toContain('fake-wrong-password');
    expect(await sessionOf(h, serverId)).toEqual({ state: 'signed-out' });
    expect(storedSecrets(h)).toEqual([]);
  });

  it('signing in again replaces the session instead of adding one', async () => {
    const { h, serverId } = await signedInWithToken();
    await h.call('auth.signInWithPassword', { serverId, username: 'alice', password: PASSWORD });
    expect(storedSecrets(h)).toEqual([{ purpose: 'session', serverId }]);
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'signed-in', method: 'password' });
  });

  it('when secrets cannot be protected, the session lives in memory only and says so', async () => {
    const { h, serverId } = await signedInWithToken({ cipher: 'unavailable' });
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'signed-in', persisted: false });
    expect(h.store.get('secrets') ?? {}).toEqual({});
    expect(await h.call('tokens.list', { serverId })).toHaveLength(1);
  });
});

describe('an expired session', () => {
  it('without a credential (password): SESSION_EXPIRED, the server shows "expired", one event, no loop', async () => {
    const { h, serverId } = await signedInWithPassword();
    h.eds.expireSessions();
    reset(h);

    expect(await h.fail('tokens.list', { serverId })).toEqual({
      code: 'SESSION_EXPIRED',
      message: 'Your session on Test EDS has ended.',
      hint: 'Sign in again.',
    });
    expect(h.hits(LIST)).toBe(1);
    expect(h.hits(AUTH)).toBe(0);
    expect(h.events).toEqual([['servers.changed', { serverId }]]);
    expect(await sessionOf(h, serverId)).toEqual({ state: 'expired', message: 'Your session on Test EDS has ended. Sign in again.' });
    expect(storedSecrets(h)).toEqual([]);

    // Later calls do not go back to the server at all.
    const again = await h.fail('tokens.list', { serverId });
    expect(again.code).toBe('NOT_SIGNED_IN');
    expect(h.eds.requestLog).toHaveLength(1);
    expect(h.hits(AUTH)).toBe(0);
    expect(h.events).toHaveLength(1);

    // Signing in again clears the "expired" state.
    await h.call('auth.signInWithPassword', { serverId, username: 'alice', password: PASSWORD });
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'signed-in' });
    expect(await h.call('tokens.list', { serverId })).toEqual([]);
  });

  it('with a credential (token): renews exactly once and the call succeeds', async () => {
    const { h, serverId } = await signedInWithToken();
    h.eds.expireSessions();
    reset(h);

    const tokens = await h.call('tokens.list', { serverId });
    expect(tokens.map((t) => t.name)).toEqual(['laptop']);
    expect(h.hits(AUTH)).toBe(1);
    expect(h.hits(LIST)).toBe(2);
    // The renewed session is news for the UI (a new expiry, for kinds that have one).
    expect(h.events).toEqual([['servers.changed', { serverId }]]);
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'signed-in', method: 'token' });

    // The renewed session is kept: the next call needs no renewal.
    await h.call('tokens.list', { serverId });
    expect(h.hits(AUTH)).toBe(1);
    expect(h.hits(LIST)).toBe(3);
  });

  it('10 concurrent calls share ONE renewal (single flight)', async () => {
    const { h, serverId } = await signedInWithToken();
    h.eds.expireSessions();
    reset(h);

    const results = await Promise.all(Array.from({ length: 10 }, () => h.core.handle('tokens.list', { serverId })));
    for (const result of results) expect(result).toMatchObject({ ok: true, value: [{ name: 'laptop' }] });
    expect(h.hits(AUTH)).toBe(1);
    expect(h.hits(LIST)).toBe(20);
    // One renewal, so one change event.
    expect(h.events).toEqual([['servers.changed', { serverId }]]);
  });

  it('a call whose 401 arrives after the renewal finished uses the renewed session (no second renewal)', async () => {
    const { h, serverId } = await signedInWithToken();
    h.eds.expireSessions();
    reset(h);
    // The first list request is held back, so its 401 comes after the others renewed.
    h.eds.faults.add({ kind: 'delay', ms: 300, match: LIST, times: 1 });

    const results = await Promise.all(Array.from({ length: 4 }, () => h.core.handle('tokens.list', { serverId })));
    for (const result of results) expect(result.ok).toBe(true);
    expect(h.hits(AUTH)).toBe(1);
  });

  it('a revoked credential: signed out, "sign in again", one renewal attempt, no retry loop', async () => {
    const { h, serverId } = await signedInWithToken();
    h.eds.revokeApiToken('alice', 'laptop'); // ends the sessions bought with it too
    reset(h);

    const error = await h.fail('tokens.list', { serverId });
    expect(error).toEqual({ code: 'SESSION_EXPIRED', message: 'Your session on Test EDS has ended.', hint: 'Sign in again.' });
    expect(h.hits(AUTH)).toBe(1);
    expect(h.hits(LIST)).toBe(1);
    expect(h.events).toEqual([['servers.changed', { serverId }]]);
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'expired' });
    expect(storedSecrets(h)).toEqual([]);

    expect((await h.fail('tokens.list', { serverId })).code).toBe('NOT_SIGNED_IN');
    expect(h.eds.requestLog).toHaveLength(2);
  });

  it('concurrent calls with a revoked credential try to renew once and end the session once', async () => {
    const { h, serverId } = await signedInWithToken();
    h.eds.revokeApiToken('alice', 'laptop');
    reset(h);
    const results = await Promise.all(Array.from({ length: 5 }, () => h.core.handle('tokens.list', { serverId })));
    for (const result of results) expect(result).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(h.hits(AUTH)).toBe(1);
    expect(h.events).toEqual([['servers.changed', { serverId }]]);
  });

  it('a renewed session the server still refuses ends the session instead of renewing again', async () => {
    const { h, serverId } = await signedInWithToken();
    reset(h);
    h.eds.faults.add({ kind: 'status', status: 401, match: LIST, times: 2 });
    expect((await h.fail('tokens.list', { serverId })).code).toBe('SESSION_EXPIRED');
    expect(h.hits(AUTH)).toBe(1);
    expect(h.hits(LIST)).toBe(2);
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'expired' });
  });

  it('a renewal that fails for another reason keeps the sign-in, and the next call renews', async () => {
    const { h, serverId } = await signedInWithToken();
    h.eds.expireSessions();
    reset(h);
    h.eds.faults.add({ kind: 'status', status: 503, match: AUTH, times: 1 });
    expect((await h.fail('tokens.list', { serverId })).code).toBe('SERVER_ERROR');
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'signed-in' });
    expect(h.events).toEqual([]);
    expect(await h.call('tokens.list', { serverId })).toHaveLength(1);
    expect(h.hits(AUTH)).toBe(2);
  });
});

describe('signing out', () => {
  it('removes the session and the credential', async () => {
    const { h, serverId, token } = await signedInWithToken();
    expect(storedSecrets(h)).toHaveLength(2);
    const view = await h.call('auth.signOut', { serverId });
    expect(view.session).toEqual({ state: 'signed-out' });
    expect(storedSecrets(h)).toEqual([]);
    expect(await h.call('secrets.list')).toEqual([]);
    reset(h);
    expect((await h.fail('tokens.list', { serverId })).code).toBe('NOT_SIGNED_IN');
    expect(h.eds.requestLog).toEqual([]);
    // The server-side token is the person's: signing out does not revoke it.
    expect(h.eds.isApiTokenValid(token)).toBe(true);
  });

  it('clears an "expired" state', async () => {
    const { h, serverId } = await signedInWithPassword();
    h.eds.expireSessions();
    await h.fail('tokens.list', { serverId });
    expect((await h.call('auth.signOut', { serverId })).session).toEqual({ state: 'signed-out' });
  });

  it('an unknown server is NOT_FOUND', async () => {
    const h = await harness();
    expect((await h.fail('auth.signOut', { serverId: 'nope' })).code).toBe('NOT_FOUND');
    expect((await h.fail('tokens.list', { serverId: 'nope' })).code).toBe('NOT_FOUND');
  });
});

describe('refreshMarginMs', () => {
  it('is a tenth of the lifetime, at most a minute, and always less than the lifetime', () => {
    expect(refreshMarginMs(60_000)).toBe(6_000);
    expect(refreshMarginMs(20_000)).toBe(2_000);
    expect(refreshMarginMs(300_000)).toBe(30_000);
    expect(refreshMarginMs(14_400_000)).toBe(REFRESH_MARGIN_MS);
    expect(refreshMarginMs(0)).toBe(0);
    expect(refreshMarginMs(-5_000)).toBe(0);
    // Unknown lifetime (no expiry, or no issue time): the full minute.
    expect(refreshMarginMs(Number.NaN)).toBe(REFRESH_MARGIN_MS);
    for (const lifetime of [1, 999, 59_999, 600_000, 3_600_000]) expect(refreshMarginMs(lifetime)).toBeLessThan(lifetime);
  });
});
