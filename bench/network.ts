import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { EdsServer } from '../e2e/servers/eds/edsServer';
import { createTestCore, mapStore } from '../e2e/host/testCore';
import type { ServerView } from '../src/shared/model';
import { EDS_PATHS } from '../src/main/core/providers/eds/edsProtocol';
import { median, round, type Figure } from './report.ts';
import { LARGE_TOKENS, savedTokenSecrets, serverRecord, tokenNames, writeVault } from './seed.ts';

const SMALL_LIST = 20;
const PASSWORD = 'wonderland-secret';

/** The floor: one request with undici's `request` (what the core's HTTP client is built on) and
 * the body parsed with JSON.parse, nothing else. Global `fetch` would be a floor ~50% slower on
 * small answers, flattering the core. */
export async function rawJson(url: string, options: { method?: 'GET' | 'POST' | 'PUT'; headers: Record<string, string>; body?: string }): Promise<unknown> {
  const res = await request(url, options);
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`raw request failed: ${res.statusCode}`);
  return JSON.parse(text);
}

/** A session for raw requests, bought as the core buys one (Basic user:password). */
async function rawSession(url: string): Promise<string> {
  const body = (await rawJson(`${url}${EDS_PATHS.session}`, { method: 'POST', headers: { accept: 'application/json', authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` } })) as { token: string };
  return body.token;
}

export interface Paired {
  core: number[];
  raw: number[];
}

/** Runs `core` and `raw` alternately (so drift and other load on the machine hit both alike)
 * after `warmUp` unrecorded rounds, and returns their times. */
export async function paired(runs: number, core: (i: number) => Promise<unknown>, raw: (i: number) => Promise<unknown>, warmUp = 5): Promise<Paired> {
  const out: Paired = { core: [], raw: [] };
  for (let i = -warmUp; i < runs; i++) {
    let t = performance.now();
    await core(i + warmUp);
    const c = performance.now() - t;
    t = performance.now();
    await raw(i + warmUp);
    const r = performance.now() - t;
    if (i >= 0) {
      out.core.push(c);
      out.raw.push(r);
    }
  }
  return out;
}

/** Per-run ratios core/raw: their median is steadier than median(core)/median(raw) when other
 * work on the machine comes and goes in bursts. */
export const pairedRatios = (s: Paired): number[] => s.core.map((c, i) => c / (s.raw[i] as number));

export function pairedFigure(id: string, what: string, s: Paired, baselineLabel: string, maxRatio: number, note?: string): Figure {
  return {
    id,
    figure: `${what} (median of ${s.core.length})`,
    unit: 'ms',
    value: median(s.core),
    baseline: median(s.raw),
    baselineLabel,
    target: { maxRatio },
    ...(note ? { note } : {}),
    details: { medianPairedRatio: round(median(pairedRatios(s)), 3), samples: s.core.map((n) => round(n, 3)), baselineSamples: s.raw.map((n) => round(n, 3)) },
  };
}

export interface NetworkResult {
  figures: Figure[];
  /** The value of the 10,000-token `tokens.list` (for the IPC figure). */
  largeList: unknown;
}

/** 5a–5c. The core's cost over the network: list and create tokens through core.handle (router,
 * zod, session from the vault, the HTTP client, response validation, matching with the vault's
 * saved copies) against the same requests with `undici.request` + `JSON.parse`. `small` is a
 * fresh reference server; `large` has 10,000 tokens for alice, and the core's vault holds a
 * saved copy of each (as in the large-vault figures). */
export async function networkFigures(small: EdsServer, large: EdsServer): Promise<NetworkResult> {
  for (const name of tokenNames(SMALL_LIST)) small.createApiToken('alice', name);
  const key = randomBytes(32);
  const store = mapStore();
  const largeRecord = serverRecord('Large', large.url);
  writeVault(store, [largeRecord], await savedTokenSecrets(key, largeRecord, tokenNames(LARGE_TOKENS)));
  const { core, call } = createTestCore({ store, key });
  try {
    const smallServer = await call<ServerView>('servers.add', { name: 'Small', kind: 'eds', url: small.url });
    for (const id of [smallServer.id, largeRecord.id]) await call('auth.signInWithPassword', { serverId: id, username: 'alice', password: PASSWORD });
    const headers = (session: string) => ({ accept: 'application/json', authorization: `Bearer ${session}`, 'user-agent': 'Keyport/bench' });
    const smallSession = await rawSession(small.url);
    const largeSession = await rawSession(large.url);
    const ok = async (p: Promise<{ ok: boolean }>) => {
      const r = await p;
      if (!r.ok) throw new Error(`core call failed: ${JSON.stringify(r)}`);
      return r as { ok: true; value: unknown };
    };

    const list = await paired(
      200,
      () => ok(core.handle('tokens.list', { serverId: smallServer.id })),
      () => rawJson(`${small.url}${EDS_PATHS.apiTokens}`, { headers: headers(smallSession) }),
    );
    const create = await paired(
      100,
      (i) => ok(core.handle('tokens.create', { serverId: smallServer.id, name: `core-${i}`, save: false })),
      (i) => rawJson(`${small.url}${EDS_PATHS.apiTokens}`, { method: 'POST', headers: { ...headers(smallSession), 'content-type': 'application/json' }, body: JSON.stringify({ name: `raw-${i}` }) }),
    );
    const largeList = (await ok(core.handle('tokens.list', { serverId: largeRecord.id }))).value as Array<{ savedSecretId: string | null }>;
    const matched = largeList.filter((t) => t.savedSecretId !== null).length;
    if (largeList.length !== LARGE_TOKENS || matched !== LARGE_TOKENS) throw new Error(`listed ${largeList.length} tokens, ${matched} matched with saved copies`);
    const listLarge = await paired(
      30,
      () => ok(core.handle('tokens.list', { serverId: largeRecord.id })),
      () => rawJson(`${large.url}${EDS_PATHS.apiTokens}`, { headers: headers(largeSession) }),
    );
    const floor = 'undici.request + JSON.parse';
    return {
      figures: [
        pairedFigure('5a', `List ${SMALL_LIST} tokens through the core`, list, floor, 1.2),
        pairedFigure('5b', 'Create a token through the core', create, floor, 1.2),
        pairedFigure(
          '5c',
          'List 10,000 tokens through the core, 10,000 saved copies in the vault',
          listLarge,
          floor,
          1.3,
          'Every token is validated and matched with its saved copy in the vault.',
        ),
      ],
      largeList,
    };
  } finally {
    await core.dispose();
  }
}
