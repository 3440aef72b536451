import { request } from 'undici';
import { createTestCore } from '../test/support/testCore';
import { startNpmjsServer } from '../test/servers/npmjs/npmjsServer.ts';
import { median, round, type Figure } from './report.ts';

const TOKENS = 1_000;
const PAGE_SIZE = 100;
const RUNS = 30;

/** 5d (issue 17). Listing 1,000 granular npm tokens, 10 pages through `urls.next`, through the
 * core (router, zod, session from the vault, the HTTP client, validation, mapping) against the
 * same paged GETs with `undici.request` + `JSON.parse`, on the reference registry for
 * registry.npmjs.org. Runs alternate so drift hits both alike. */
export async function npmListFigure(): Promise<Figure> {
  const registry = await startNpmjsServer({ pageSize: PAGE_SIZE });
  const { core, call } = createTestCore({ openBrowser: async (url) => void (await registry.person(url, { approveAs: 'alice' })) });
  try {
    const server = await call('servers.add', { name: 'npmjs', kind: 'npm', url: registry.url });
    await call('auth.signInWithBrowser', { serverId: server.id });
    registry.seedTokens('alice', TOKENS);
    // The raw side's own session, by npm's legacy login (same account, same registry).
    const login = await request(`${registry.url}/-/user/org.couchdb.user:alice`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ _id: 'org.couchdb.user:alice', name: 'alice', password: registry.users[0]!.password, type: 'user', roles: [], date: new Date().toISOString() }),
    });
    const { token: rawSession } = (await login.body.json()) as { token: string };

    const rawList = async (): Promise<number> => {
      let count = 0;
      let next: string | null = `${registry.url}/-/npm/v1/tokens`;
      while (next) {
        const res = await request(next, { headers: { accept: 'application/json', authorization: `Bearer ${rawSession}`, 'user-agent': 'Keyport/bench' } });
        if (res.statusCode !== 200) throw new Error(`raw request failed: ${res.statusCode}`);
        const page = JSON.parse(await res.body.text()) as { objects: unknown[]; urls: { next: string | null } };
        count += page.objects.length;
        next = page.urls.next;
      }
      return count;
    };
    const coreList = async (): Promise<number> => {
      const r = await core.handle('tokens.list', { serverId: server.id });
      if (!r.ok) throw new Error(`core call failed: ${JSON.stringify(r)}`);
      return (r.value as unknown[]).length;
    };

    const samples = { core: [] as number[], raw: [] as number[] };
    for (let i = -3; i < RUNS; i++) {
      let t = performance.now();
      const viaCore = await coreList();
      const c = performance.now() - t;
      t = performance.now();
      const viaRaw = await rawList();
      const r = performance.now() - t;
      if (viaCore !== TOKENS || viaRaw !== TOKENS) throw new Error(`listed ${viaCore} (core) and ${viaRaw} (raw), not ${TOKENS}`);
      if (i >= 0) {
        samples.core.push(c);
        samples.raw.push(r);
      }
    }
    return {
      id: '5d',
      figure: `List ${TOKENS.toLocaleString('en')} npm granular tokens, ${TOKENS / PAGE_SIZE} pages (median of ${RUNS})`,
      unit: 'ms',
      value: median(samples.core),
      baseline: median(samples.raw),
      baselineLabel: 'undici.request + JSON.parse, same pages',
      target: { maxRatio: 1.2 },
      details: { samples: samples.core.map((n) => round(n, 3)), baselineSamples: samples.raw.map((n) => round(n, 3)) },
    };
  } finally {
    await core.dispose();
    await registry.close();
  }
}
