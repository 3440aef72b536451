import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { EdsServer } from '../test/servers/eds/edsServer';
import { createTestCore } from '../test/support/testCore';
import { openVaultStore } from './benchHost.ts';
import { deserialize, serialize } from 'node:v8';
import type {  TokenView } from '../src/shared/model';
import { EDS_PATHS } from '../src/main/core/providers/eds/edsProtocol';
import { decodeTokenList, encodeTokenList, type TokenListWire } from '../src/shared/tokenListWire';
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
  largeList: TokenView[];
}

/** 5a–5c. The core's cost over the network: list and create tokens through core.handle (router,
 * zod, session from the vault, the HTTP client, response validation, matching with the vault's
 * saved copies) against the same requests with `undici.request` + `JSON.parse`. `small` is a
 * fresh reference server; `large` has 10,000 tokens for alice, and the core's vault holds a
 * saved copy of each (as in the large-vault figures). */
export async function networkFigures(small: EdsServer, large: EdsServer): Promise<NetworkResult> {
  for (const name of tokenNames(SMALL_LIST)) small.createApiToken('alice', name);
  const key = randomBytes(32);
  // The vault file as the app keeps it (an append-only log on disk), not an in-memory map that
  // copies the whole vault on every write.
  const dataDir = await mkdtemp(join(tmpdir(), 'keyport-bench-network-'));
  const { store } = openVaultStore(dataDir);
  const largeRecord = serverRecord('Large', large.url);
  writeVault(store, [largeRecord], await savedTokenSecrets(key, largeRecord, tokenNames(LARGE_TOKENS)));
  const { core, call } = createTestCore({ store, key });
  try {
    const smallServer = await call('servers.add', { name: 'Small', kind: 'eds', url: small.url });
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
    const largeList = (await ok(core.handle('tokens.list', { serverId: largeRecord.id }))).value as TokenView[];
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
    await rm(dataDir, { recursive: true, force: true });
  }
}

const CLONE_RUNS = 30;

/** 5f (issue 15). What handing the 10,000-token list to the window costs in the main process and
 * the window: the compact form (src/shared/tokenListWire.ts) encoded, passed through the V8
 * serializer as Electron's IPC does (serialize + deserialize, the stand-in for the IPC), and
 * decoded back into TokenView[]; against the same serializer on the plain list, as it was sent
 * before. Alternating runs. */
export function ipcCloneFigure(list: TokenView[]): Figure {
  const compact = { core: [] as number[], raw: [] as number[] };
  const parts = { encode: [] as number[], clone: [] as number[], decode: [] as number[] };
  for (let i = -3; i < CLONE_RUNS; i++) {
    const start = performance.now();
    const wire = encodeTokenList(list);
    const encoded = performance.now();
    const received = deserialize(serialize(wire)) as TokenListWire;
    const cloned = performance.now();
    const views = decodeTokenList(received);
    const decoded = performance.now();
    if (views.length !== list.length) throw new Error('the decoded list lost tokens');
    const p = performance.now();
    const plain = deserialize(serialize(list)) as unknown[];
    const r = performance.now() - p;
    if (plain.length !== list.length) throw new Error('the cloned list lost tokens');
    if (i >= 0) {
      compact.core.push(decoded - start);
      compact.raw.push(r);
      parts.encode.push(encoded - start);
      parts.clone.push(cloned - encoded);
      parts.decode.push(decoded - cloned);
    }
  }
  return {
    id: '5f',
    figure: `Hand the 10,000-token list to the window: encode + IPC clone + decode (median of ${CLONE_RUNS})`,
    unit: 'ms',
    value: median(compact.core),
    baseline: median(compact.raw),
    baselineLabel: 'the same clone of the plain TokenView[]',
    target: { max: 3 },
    note: 'IPC stand-in: v8.serialize + v8.deserialize, as Electron sends an invoke result.',
    details: {
      encodeMs: round(median(parts.encode), 3),
      cloneMs: round(median(parts.clone), 3),
      decodeMs: round(median(parts.decode), 3),
      wireTextChars: encodeTokenList(list).text.length,
      samples: compact.core.map((n) => round(n, 3)),
      baselineSamples: compact.raw.map((n) => round(n, 3)),
    },
  };
}
