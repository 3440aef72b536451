import { afterEach, describe, expect, it } from 'vitest';
import { createTestCore, type TestCore } from '../../../../../test/support/testCore';
import { startTapis3Server, type Tapis3Server } from '../../../../../test/servers/tapis3/tapis3Server';

/** A tapis3 session in the real core (createTestCore): renewed in the background before the
 * JWT's exp, renewed once for many simultaneous calls, and the rotated refresh token kept. */

const PASSWORD = 'wonderland-secret';
const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function signedIn(options: Parameters<typeof startTapis3Server>[0] = {}): Promise<{ tapis: Tapis3Server; keyport: TestCore; id: string }> {
  const tapis = await startTapis3Server(options);
  started.push(tapis);
  const keyport = createTestCore();
  started.push({ close: () => keyport.core.dispose() });
  const server = await keyport.call('servers.add', { name: 'Tapis v3', kind: 'tapis3', url: tapis.url });
  await keyport.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: PASSWORD });
  return { tapis, keyport, id: server.id };
}

async function copied(keyport: TestCore, serverId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copySession', { serverId, format });
  return keyport.clipboard.text;
}

describe('tapis3 sessions in the core', () => {
  // A 4-second token: the session service plans the renewal halfway through (sessionService.ts).
  it('renews in the background before the access token’s exp, with nothing asking', { timeout: 15_000 }, async () => {
    const { tapis, keyport, id } = await signedIn({ accessTokenLifetimeSeconds: 4 });
    const before = tapis.tokenRequests.refresh;
    const deadline = Date.now() + 8_000;
    while (tapis.tokenRequests.refresh === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(tapis.tokenRequests.refresh - before).toBeGreaterThanOrEqual(1);
    const refresh = /TAPIS_REFRESH_TOKEN=(\S+)/.exec(await copied(keyport, id, 'refresh-dotenv'))?.[1] ?? '';
    expect(tapis.isRefreshTokenValid(refresh)).toBe(true);
  });

  it('renews once for 10 simultaneous calls that find the access token refused, and saves the rotated refresh token', async () => {
    const { tapis, keyport, id } = await signedIn();
    const oldRefresh = /TAPIS_REFRESH_TOKEN=(\S+)/.exec(await copied(keyport, id, 'refresh-dotenv'))?.[1] ?? '';
    tapis.expireAccessTokens('alice');
    const before = tapis.tokenRequests.refresh;
    const lists = await Promise.all(Array.from({ length: 10 }, () => keyport.call('tokens.list', { serverId: id })));
    expect(lists.every((l) => l.length === 1)).toBe(true);
    expect(tapis.tokenRequests.refresh - before).toBe(1);
    const newRefresh = /TAPIS_REFRESH_TOKEN=(\S+)/.exec(await copied(keyport, id, 'refresh-dotenv'))?.[1] ?? '';
    expect(newRefresh).not.toBe(oldRefresh);
    expect(tapis.isRefreshTokenValid(newRefresh)).toBe(true);
    expect(tapis.isRefreshTokenValid(oldRefresh)).toBe(false);
  });
});
