import { request } from 'undici';
import { createTestCore } from '../test/support/testCore';
import { startNpmjsServer, type NpmjsServer } from '../test/servers/npmjs/npmjsServer.ts';
import { median, round, type Figure } from './report.ts';
import { paired, pairedFigure, pairedRatios, rawJson } from './network.ts';

const TOKENS = 1_000;
const PAGE_SIZE = 100;
const RUNS = 30;

interface NpmAccount {
  registry: NpmjsServer;
  /** Lists every token through core.handle('tokens.list'); returns how many. */
  coreList(): Promise<number>;
  /** The same pages with undici.request + JSON.parse; returns how many. */
  rawList(): Promise<number>;
  /** The same pages with global fetch + JSON.parse (issue 17 names "raw fetches"). */
  fetchList(): Promise<number>;
  close(): Promise<void>;
}

/** A reference registry for registry.npmjs.org with `tokens` granular tokens for alice, served
 * `pageSize` to a page, and a core signed in to it. */
async function npmAccount(tokens: number, pageSize: number): Promise<NpmAccount> {
  const registry = await startNpmjsServer({ pageSize });
  const { core, call } = createTestCore({ openBrowser: async (url) => void (await registry.person(url, { approveAs: 'alice' })) });
  const server = await call('servers.add', { name: 'npmjs', kind: 'npm', url: registry.url });
  await call('auth.signInWithBrowser', { serverId: server.id });
  registry.seedTokens('alice', tokens);
  // The raw side's own session, by npm's legacy login (same account, same registry).
  const login = (await rawJson(`${registry.url}/-/user/org.couchdb.user:alice`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: 'org.couchdb.user:alice', name: 'alice', password: registry.users[0]!.password, type: 'user', roles: [], date: new Date().toISOString() }),
  })) as { token: string };
  const headers = { accept: 'application/json', authorization: `Bearer ${login.token}`, 'user-agent': 'Keyport/bench' };
  return {
    registry,
    async coreList() {
      const r = await core.handle('tokens.list', { serverId: server.id });
      if (!r.ok) throw new Error(`core call failed: ${JSON.stringify(r)}`);
      return (r.value as unknown[]).length;
    },
    async rawList() {
      let count = 0;
      let next: string | null = `${registry.url}/-/npm/v1/tokens`;
      while (next) {
        const res = await request(next, { headers });
        if (res.statusCode !== 200) throw new Error(`raw request failed: ${res.statusCode}`);
        const page = JSON.parse(await res.body.text()) as { objects: unknown[]; urls: { next: string | null } };
        count += page.objects.length;
        next = page.urls.next;
      }
      return count;
    },
    async fetchList() {
      let count = 0;
      let next: string | null = `${registry.url}/-/npm/v1/tokens`;
      while (next) {
        const res = await fetch(next, { headers });
        if (res.status !== 200) throw new Error(`fetch failed: ${res.status}`);
        const page = JSON.parse(await res.text()) as { objects: unknown[]; urls: { next: string | null } };
        count += page.objects.length;
        next = page.urls.next;
      }
      return count;
    },
    async close() {
      await core.dispose();
      await registry.close();
    },
  };
}

const counted = (what: string, expected: number, list: () => Promise<number>) => async () => {
  const n = await list();
  if (n !== expected) throw new Error(`${what} listed ${n} tokens, not ${expected}`);
};

/** 5d (issue 17). Listing 1,000 granular npm tokens, 10 pages through `urls.next`, through the
 * core (router, zod, session from the vault, the HTTP client, validation, mapping) against the
 * same paged GETs with `undici.request` + `JSON.parse`, on the reference registry for
 * registry.npmjs.org. Runs alternate so drift hits both alike. */
export async function npmListFigure(): Promise<Figure> {
  const account = await npmAccount(TOKENS, PAGE_SIZE);
  try {
    const s = await paired(RUNS, counted('the core', TOKENS, account.coreList), counted('undici', TOKENS, account.rawList), 3);
    // Issue 17 set its target against "the same paged raw fetches"; the row keeps the stricter
    // undici.request floor of every network row (issue 15), and notes the fetch one.
    const withFetch = await paired(RUNS, counted('the core', TOKENS, account.coreList), counted('fetch', TOKENS, account.fetchList), 3);
    const fetchRatio = round(median(pairedRatios(withFetch)), 2);
    const figure = pairedFigure(
      '5d',
      `List ${TOKENS.toLocaleString('en')} npm granular tokens, ${TOKENS / PAGE_SIZE} pages, through the core`,
      s,
      'undici.request + JSON.parse, same pages',
      1.2,
      `Against the same pages with global fetch + JSON.parse (issue 17's "raw fetches"): ${fetchRatio}× (fetch ${round(median(withFetch.raw), 2)} ms).`,
    );
    return { ...figure, details: { ...figure.details, fetchPairedRatio: fetchRatio, fetchSamples: withFetch.raw.map((n) => round(n, 3)) } };
  } finally {
    await account.close();
  }
}

const SCALE_PAGE = 10_000;
const SCALE_RUNS = 12;

/** 5e (issue 15). Does a long list cost in proportion to its length? 50,000 tokens against
 * 10,000, both through the core, in pages of 10,000 (the most items Keyport accepts in one
 * answer, see MAX_LIST_ITEMS: a single 50,000-item answer is refused), on two reference
 * registries. Alternating runs; the undici floor of each list is kept in the details. */
export async function scalingFigure(): Promise<Figure> {
  const small = await npmAccount(SCALE_PAGE, SCALE_PAGE);
  const big = await npmAccount(5 * SCALE_PAGE, SCALE_PAGE);
  try {
    const s = await paired(SCALE_RUNS, counted('the core (50,000)', 5 * SCALE_PAGE, big.coreList), counted('the core (10,000)', SCALE_PAGE, small.coreList), 2);
    const floors = await paired(5, counted('undici (50,000)', 5 * SCALE_PAGE, big.rawList), counted('undici (10,000)', SCALE_PAGE, small.rawList), 1);
    return {
      id: '5e',
      figure: `List 50,000 npm tokens (5 pages) through the core (median of ${SCALE_RUNS})`,
      unit: 'ms',
      value: median(s.core),
      baseline: median(s.raw),
      baselineLabel: 'the same for 10,000 tokens (1 page)',
      target: { maxRatio: 5.5 },
      note: 'Linear would be 5×. Pages of 10,000: Keyport refuses a longer list in one answer.',
      details: {
        medianPairedRatio: round(median(pairedRatios(s)), 3),
        samples: s.core.map((n) => round(n, 3)),
        baselineSamples: s.raw.map((n) => round(n, 3)),
        undiciFloor50k: round(median(floors.core), 3),
        undiciFloor10k: round(median(floors.raw), 3),
      },
    };
  } finally {
    await small.close();
    await big.close();
  }
}
