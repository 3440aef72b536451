import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore, mapStore, type TestCore } from '../../../test/support/testCore';
import { startEdsServer, type EdsServer } from '../../../test/servers/eds/edsServer';
import type { CreatedToken, ServerView, TokenView } from '../../shared/model';

/** Concurrency through one real core (createTestCore) against five reference EDS instances:
 * 50 simultaneous token operations (create, list, revoke) across the servers all complete
 * correctly and leave each server in the state they asked for; and renewals of one session are
 * single-flight: 20 simultaneous calls that find the session ended renew it with one request. */

const SERVERS = 5;
const SEEDED = ['seed-0', 'seed-1', 'seed-2', 'seed-3'];
const REVOKED = ['seed-0', 'seed-1', 'seed-2'];
const ALICE = { username: 'alice', password: 'wonderland-secret' };
const AUTH_PATH = /\/auth\/tokens\/auth$/;

let instances: EdsServer[] = [];
let test: TestCore;
let servers: ServerView[] = [];

beforeAll(async () => {
  instances = await Promise.all(Array.from({ length: SERVERS }, () => startEdsServer()));
  test = createTestCore({ store: mapStore() });
  servers = [];
  for (const [i, eds] of instances.entries()) servers.push(await test.call('servers.add', { name: `EDS ${i}`, kind: 'eds', url: eds.url }));
});

afterAll(async () => {
  await test?.core.dispose();
  await Promise.all(instances.map((eds) => eds.close()));
});

/** A seeded shuffle, so a failure replays in the same order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

type Operation =
  | { kind: 'create'; server: number; name: string; save: boolean }
  | { kind: 'revoke'; server: number; tokenId: string }
  | { kind: 'list'; server: number };

describe('concurrent token operations', () => {
  it('runs 50 simultaneous creates, lists and revokes across 5 servers, and every server ends as asked', async () => {
    await Promise.all(servers.map((s) => test.call('auth.signInWithPassword', { serverId: s.id, ...ALICE })));
    for (const eds of instances) for (const name of SEEDED) eds.createApiToken('alice', name);
    const authBefore = instances.map((eds) => eds.requestLog.filter((e) => AUTH_PATH.test(e.path)).length);

    const operations: Operation[] = [];
    for (let server = 0; server < SERVERS; server++) {
      for (let i = 0; i < 4; i++) operations.push({ kind: 'create', server, name: `made-${server}-${i}`, save: i % 2 === 0 });
      for (const tokenId of REVOKED) operations.push({ kind: 'revoke', server, tokenId });
      for (let i = 0; i < 3; i++) operations.push({ kind: 'list', server });
    }
    expect(operations).toHaveLength(50);

    const results = await Promise.allSettled(
      shuffled(operations, 0x50).map(async (op) => {
        const serverId = (servers[op.server] as ServerView).id;
        if (op.kind === 'create') return { op, value: await test.call('tokens.create', { serverId, name: op.name, save: op.save }) };
        if (op.kind === 'revoke') return { op, value: await test.call('tokens.revoke', { serverId, tokenId: op.tokenId }) };
        return { op, value: await test.call('tokens.list', { serverId }) };
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures).toEqual([]);
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

    const created = done.flatMap(({ op, value }) => (op.kind === 'create' ? [{ op, token: value as CreatedToken }] : []));
    expect(created).toHaveLength(20);
    expect(new Set(created.map((c) => c.token.secret)).size).toBe(20);
    for (const { op, token } of created) {
      expect(token.token.name).toBe(op.name);
      expect(token.saved).toBe(op.save);
      expect(instances[op.server]?.isApiTokenValid(token.secret), `${op.name} is a live token of its own server`).toBe(true);
      for (const [i, other] of instances.entries()) if (i !== op.server) expect(other.isApiTokenValid(token.secret)).toBe(false);
    }

    for (let server = 0; server < SERVERS; server++) {
      const eds = instances[server] as EdsServer;
      const made = created.filter((c) => c.op.server === server).map((c) => c.op.name);
      const expected = [...SEEDED.filter((n) => !REVOKED.includes(n)), ...made].sort();
      expect(eds.tokenNames('alice').sort(), `server ${server}`).toEqual(expected);
      // Lists taken during the storm show a state the server really went through.
      for (const { op, value } of done) {
        if (op.kind !== 'list' || op.server !== server) continue;
        const names = (value as TokenView[]).map((t) => t.name);
        expect(names).toContain('seed-3');
        for (const name of names) expect([...SEEDED, ...made]).toContain(name);
      }
      const listed = await test.call('tokens.list', { serverId: (servers[server] as ServerView).id });
      expect(listed.map((t) => t.name).sort()).toEqual(expected);
      // Saved copies point at the tokens they were made with.
      for (const token of listed) {
        const mine = created.find((c) => c.op.server === server && c.op.name === token.name);
        expect(token.savedSecretId, token.name).toBe(mine?.op.save ? mine.token.secretId : null);
      }
      // No call renewed or re-opened a session: the sign-in was the only exchange.
      expect(eds.requestLog.filter((e) => AUTH_PATH.test(e.path)).length).toBe(authBefore[server]);
    }

    const saved = await test.call('secrets.list');
    expect(saved.map((s) => s.name).sort()).toEqual(created.filter((c) => c.op.save).map((c) => c.op.name).sort());
  });

  it('renews an ended token-based session once for 20 simultaneous calls', async () => {
    const eds = instances[0] as EdsServer;
    const server = servers[0] as ServerView;
    await test.call('auth.signInWithToken', { serverId: server.id, token: eds.createApiToken('alice', 'renewal-credential') });
    eds.expireSessions();
    const mark = eds.requestLog.length;

    const lists = await Promise.all(Array.from({ length: 20 }, () => test.call('tokens.list', { serverId: server.id })));

    const since = eds.requestLog.slice(mark);
    const exchanges = since.filter((e) => e.method === 'POST' && AUTH_PATH.test(e.path));
    expect(exchanges, 'session renewals').toHaveLength(1);
    expect(exchanges[0]?.status).toBe(200);
    for (const list of lists) expect(list.map((t) => t.name)).toContain('renewal-credential');
    // Every call after the renewal used the new session: nothing else failed.
    expect(since.filter((e) => e.status === 401)).toHaveLength(20);
    const view = (await test.call('servers.list')).find((s) => s.id === server.id);
    expect(view?.session.state).toBe('signed-in');
  });
});
