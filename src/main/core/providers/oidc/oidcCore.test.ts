// The oidc kind through the whole core (router, server registry, session service, vault): the
// client secret as a secret server setting, discovery at add and on demand, background renewal
// under fake timers, revocation at sign-out and its notice when it fails, and a kind without a
// token list. Device sign-in stands in for the browser (the harness has no browser adapter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerView } from '../../../../shared/model';
import { startOidcServer, type OidcServer } from '../../../../../test/servers/oidc/oidcServer';
import { personAt } from '../../../../../test/support/anacondaPerson';
import { useCoreHarness, type Harness } from '../../../../../test/support/coreHarness';

const { harness } = useCoreHarness();
let idp: OidcServer;

beforeAll(async () => {
  // 300 s access tokens: the background renewal is due a tenth of that (30 s) before they expire.
  idp = await startOidcServer({ https: false, accessTokenTtlSeconds: 300 });
});
afterAll(async () => {
  await idp.close();
});

const addIssuer = (h: Harness, options: Record<string, string> = { clientId: idp.publicClientId }) =>
  h.call('servers.add', { name: 'Test IdP', kind: 'oidc', url: idp.url, options });

/** Signs in with a code, approved by "the person" on another device. */
async function deviceSignIn(h: Harness, serverId: string): Promise<ServerView> {
  // force: "Sign in again" while signed in.
  const code = (await h.call('auth.startDeviceSignIn', { serverId, force: true }))!;
  await personAt(code.verificationUriComplete!);
  return h.call('auth.finishDeviceSignIn', { serverId });
}

const signedIn = (view: ServerView) => {
  if (view.session.state !== 'signed-in') throw new Error(`expected signed-in, got ${view.session.state}`);
  return view.session;
};

describe('oidc through the core', () => {
  it('keeps the client secret encrypted in the vault, never in the options or a view; Edit with it empty keeps it', async () => {
    const h = await harness();
    const secret = idp.confidentialClient.secret;
    const added = await addIssuer(h, { clientId: idp.confidentialClient.id, clientSecret: secret });
    expect(added.options).toEqual({ clientId: idp.confidentialClient.id });
    expect(added.savedSecretFields).toEqual(['clientSecret']);
    expect(JSON.stringify(await h.call('servers.list'))).not.toContain(secret);
    expect(h.vaultText()).not.toContain(secret);
    const edited = await h.call('servers.update', { id: added.id, changes: { name: 'Renamed', kind: 'oidc', url: idp.url, options: { clientId: idp.confidentialClient.id, clientSecret: '' } } });
    expect(edited.savedSecretFields).toEqual(['clientSecret']);
  });

  it('checks discovery when the server is added, and describes it on demand', async () => {
    const h = await harness();
    const error = await h.fail('servers.add', { name: 'EDS', kind: 'oidc', url: h.eds.url, options: { clientId: 'keyport' } });
    expect(error).toMatchObject({ code: 'BAD_RESPONSE', field: 'url' });
    expect(await h.call('servers.list')).toEqual([]);
    const added = await addIssuer(h);
    const description = await h.call('servers.describe', { id: added.id });
    expect(description.title).toBe('Discovery');
    expect(description.facts).toContainEqual({ label: 'Revocation endpoint', value: `${idp.url}/token/revocation` });
  });

  it('signs in with a confidential client, renews in the background before expiry, lists no tokens, and revokes at sign-out', { timeout: 30_000 }, async () => {
    const h = await harness();
    const added = await addIssuer(h, { clientId: idp.confidentialClient.id, clientSecret: idp.confidentialClient.secret });
    const session = signedIn(await deviceSignIn(h, added.id));
    expect(session.user).toEqual({ name: 'alice', email: 'alice@example.com' });
    expect(session.scopes).toContain('openid');
    expect(session.claims).toContainEqual({ name: 'email', value: 'alice@example.com' });
    // openid-client counts the lifetime down from the answer, so a second may be gone.
    expect(Date.parse(session.expiresAt ?? '') - h.timers.now()).toBeGreaterThanOrEqual(298_000);

    const refreshed = idp.stats.refreshed;
    await h.timers.advance(266_000);
    expect(idp.stats.refreshed).toBe(refreshed);
    await h.timers.advance(4_000);
    await expect.poll(() => idp.stats.refreshed).toBe(refreshed + 1);
    await expect
      .poll(async () => Date.parse(signedIn((await h.call('servers.list'))[0]!).expiresAt ?? '') - h.timers.now())
      .toBeGreaterThanOrEqual(298_000);
    // The claims of the sign-in (with UserInfo's email) survive the refresh.
    expect(signedIn((await h.call('servers.list'))[0]!).claims).toContainEqual({ name: 'email', value: 'alice@example.com' });

    expect(await h.fail('tokens.list', { serverId: added.id })).toMatchObject({ code: 'UNSUPPORTED' });
    expect(idp.stats.refreshed).toBe(refreshed + 1);

    const revoked = idp.stats.revoked;
    const out = await h.call('auth.signOut', { serverId: added.id });
    expect(out.session).toEqual({ state: 'signed-out' });
    expect(idp.stats.revoked).toBe(revoked + 1);
    // Nothing is renewed after sign-out.
    await h.timers.advance(600_000);
    expect(idp.stats.refreshed).toBe(refreshed + 1);
  });

  it('with 60-second access tokens, copies during the token’s life use it; renewal comes a tenth of the lifetime before expiry', { timeout: 30_000 }, async () => {
    const short = await startOidcServer({ https: false, accessTokenTtlSeconds: 60 });
    try {
      const h = await harness();
      const added = await h.call('servers.add', { name: 'Short IdP', kind: 'oidc', url: short.url, options: { clientId: short.publicClientId } });
      const code = (await h.call('auth.startDeviceSignIn', { serverId: added.id }))!;
      await personAt(code.verificationUriComplete!);
      await h.call('auth.finishDeviceSignIn', { serverId: added.id });
      const refreshed = short.stats.refreshed;
      const copies: string[] = [];
      for (let second = 0; second <= 50; second += 10) {
        await h.call('clipboard.copySession', { serverId: added.id, format: 'access-token' });
        copies.push(h.clipboard.text);
        await h.timers.advance(10_000);
      }
      // Six copies over 50 s: one access token, no refresh (a one-minute margin refreshed at each).
      expect(new Set(copies).size).toBe(1);
      expect(short.stats.refreshed).toBe(refreshed);
      // 60 s (59 s when a second passed on the way) less a tenth: renewed in the background by 55 s.
      await h.timers.advance(5_000);
      await expect.poll(() => short.stats.refreshed).toBe(refreshed + 1);
      await h.call('clipboard.copySession', { serverId: added.id, format: 'access-token' });
      expect(h.clipboard.text).not.toBe(copies[0]);
      expect(short.stats.refreshed).toBe(refreshed + 1);
    } finally {
      await short.close();
    }
  });

  it('revokes the old grant when Sign in again replaces the session, when the server is edited, and when it is removed (RFC 7009)', { timeout: 60_000 }, async () => {
    const h = await harness();
    const added = await addIssuer(h);
    const refreshToken = async (): Promise<string> => {
      await h.call('clipboard.copySession', { serverId: added.id, format: 'refresh-token' });
      return h.clipboard.text;
    };
    await deviceSignIn(h, added.id);
    const first = await refreshToken();
    expect(await idp.isRefreshTokenValid(first)).toBe(true);

    // Sign in again: the new grant stays, the old one is revoked at the provider.
    await deviceSignIn(h, added.id);
    const second = await refreshToken();
    expect(second).not.toBe(first);
    expect(await idp.isRefreshTokenValid(first)).toBe(false);
    expect(await idp.isRefreshTokenValid(second)).toBe(true);
    expect(h.notifications).toEqual([]);

    // An edit that changes the client's settings signs out, and revokes with the old settings.
    const edited = await h.call('servers.update', { id: added.id, changes: { name: 'Test IdP', kind: 'oidc', url: idp.url, options: { clientId: idp.publicClientId, scopes: 'openid email' } } });
    expect(edited.session).toEqual({ state: 'signed-out' });
    expect(await idp.isRefreshTokenValid(second)).toBe(false);

    // Removing the server revokes too.
    await deviceSignIn(h, added.id);
    const third = await refreshToken();
    await h.call('servers.remove', { id: added.id });
    expect(await idp.isRefreshTokenValid(third)).toBe(false);
    expect(h.notifications).toEqual([]);
  });

  it('says plainly when a dropped session could not be revoked: sign in again, edit, remove', { timeout: 60_000 }, async () => {
    const h = await harness();
    const added = await addIssuer(h);
    await deviceSignIn(h, added.id);
    idp.faults.add({ match: /^\/token\/revocation$/, kind: 'status', status: 503 });
    try {
      await deviceSignIn(h, added.id);
      expect(h.notifications).toEqual([
        { title: 'Old session not revoked', body: expect.stringMatching(/^Signed in to Test IdP again, but the previous session remains: Test IdP was not told to revoke the tokens: .* They stay valid until they expire\.$/) },
      ]);
      const edited = await h.call('servers.update', { id: added.id, changes: { name: 'Test IdP', kind: 'oidc', url: idp.url, options: { clientId: idp.publicClientId, scopes: 'openid email' } } });
      expect(edited.session.state === 'signed-out' ? edited.session.notice : '').toMatch(/^Signed out of Keyport, but Test IdP was not told to revoke the tokens: .* They stay valid until they expire\.$/);
      await deviceSignIn(h, added.id);
      await h.call('servers.remove', { id: added.id });
      expect(await h.call('servers.list')).toEqual([]);
      expect(h.notifications.at(-1)).toEqual({ title: 'Tokens not revoked', body: expect.stringMatching(/^Removed Test IdP from Keyport, but Test IdP was not told to revoke the tokens: .* They stay valid until they expire\.$/) });
    } finally {
      idp.faults.clear();
    }
  });

  it('signs out locally even when the server cannot revoke, and says so', { timeout: 30_000 }, async () => {
    const h = await harness();
    const added = await addIssuer(h);
    await deviceSignIn(h, added.id);
    idp.faults.add({ match: /^\/token\/revocation$/, kind: 'status', status: 503 });
    try {
      const out = await h.call('auth.signOut', { serverId: added.id });
      expect(out.session.state).toBe('signed-out');
      expect(out.session.state === 'signed-out' ? out.session.notice : '').toMatch(/^Signed out of Keyport, but Test IdP was not told to revoke the tokens: .* They stay valid until they expire\.$/);
    } finally {
      idp.faults.clear();
    }
  });
});
