import type { EdsServer } from '../test/servers/eds/edsServer';
import { createTestCore } from '../test/support/testCore';
import { EDS_PATHS } from '../src/main/core/providers/eds/edsProtocol';
import { median, round, type Figure } from './report.ts';
import { tokenNames } from './seed.ts';

const SMALL_LIST = 20;

/** A session for raw requests, bought as the core buys one (Basic user:password). */
async function rawSession(url: string, user: string, password: string): Promise<string> {
  const res = await fetch(`${url}${EDS_PATHS.session}`, { method: 'POST', headers: { accept: 'application/json', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
  const body = (await res.json()) as { token: string };
  return body.token;
}

/** Runs `core` and `raw` alternately (so drift hits both alike) and returns their times. */
async function paired(runs: number, core: (i: number) => Promise<unknown>, raw: (i: number) => Promise<unknown>): Promise<{ core: number[]; raw: number[] }> {
  const out = { core: [] as number[], raw: [] as number[] };
  for (let i = -5; i < runs; i++) {
    let t = performance.now();
    await core(i + 5);
    const c = performance.now() - t;
    t = performance.now();
    await raw(i + 5);
    const r = performance.now() - t;
    if (i >= 0) {
      out.core.push(c);
      out.raw.push(r);
    }
  }
  return out;
}

/** 5. The core's cost over the network: list and create tokens through core.handle (router,
 * zod, session from the vault, the HTTP client, response validation) against a raw fetch of
 * the same requests (same headers, JSON parsed). `small` is a fresh reference server; `large`
 * has 10,000 tokens for alice. */
export async function networkFigures(small: EdsServer, large: EdsServer): Promise<Figure[]> {
  for (const name of tokenNames(SMALL_LIST)) small.createApiToken('alice', name);
  const { core, call } = createTestCore();
  try {
    const smallServer = await call('servers.add', { name: 'Small', kind: 'eds', url: small.url });
    const largeServer = await call('servers.add', { name: 'Large', kind: 'eds', url: large.url });
    for (const s of [smallServer, largeServer]) await call('auth.signInWithPassword', { serverId: s.id, username: 'alice', password: 'wonderland-secret' });
    const headers = (session: string) => ({ accept: 'application/json', authorization: `Bearer ${session}`, 'user-agent': 'Keyport/bench' });
    const smallSession = await rawSession(small.url, 'alice', 'wonderland-secret');
    const largeSession = await rawSession(large.url, 'alice', 'wonderland-secret');
    const ok = async (p: Promise<{ ok: boolean }>) => {
      const r = await p;
      if (!r.ok) throw new Error(`core call failed: ${JSON.stringify(r)}`);
    };
    const rawJson = async (url: string, init: RequestInit) => {
      const res = await fetch(url, init);
      if (!res.ok) throw new Error(`raw request failed: ${res.status}`);
      return res.json();
    };

    const list = await paired(
      200,
      () => ok(core.handle('tokens.list', { serverId: smallServer.id })),
      () => rawJson(`${small.url}${EDS_PATHS.apiTokens}`, { headers: headers(smallSession) }),
    );
    const create = await paired(
      100,
      (i) => ok(core.handle('tokens.create', { serverId: smallServer.id, name: `core-${i}`, save: false })),
      (i) =>
        rawJson(`${small.url}${EDS_PATHS.apiTokens}`, {
          method: 'POST',
          headers: { ...headers(smallSession), 'content-type': 'application/json' },
          body: JSON.stringify({ name: `raw-${i}` }),
        }),
    );
    const listLarge = await paired(
      20,
      () => ok(core.handle('tokens.list', { serverId: largeServer.id })),
      () => rawJson(`${large.url}${EDS_PATHS.apiTokens}`, { headers: headers(largeSession) }),
    );
    const figure = (id: string, what: string, runs: number, s: { core: number[]; raw: number[] }): Figure => ({
      id,
      figure: `${what} through the core (median of ${runs})`,
      unit: 'ms',
      value: median(s.core),
      baseline: median(s.raw),
      baselineLabel: 'raw fetch',
      target: { maxRatio: 1.2 },
      details: { samples: s.core.map((n) => round(n, 3)), baselineSamples: s.raw.map((n) => round(n, 3)) },
    });
    return [
      figure('5a', `List ${SMALL_LIST} tokens`, 200, list),
      figure('5b', 'Create a token', 100, create),
      { ...figure('5c', 'List 10,000 tokens', 20, listLarge), note: 'Every token is validated with zod and matched with the vault’s saved copies.' },
    ];
  } finally {
    await core.dispose();
  }
}
