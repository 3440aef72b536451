import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnacondaServer, type AnacondaServer } from '../../../../test/servers/anaconda/anacondaServer';
import { freePort } from '../../../../test/servers/common/freePort';
import { startEdsServer, type EdsServer } from '../../../../test/servers/eds/edsServer';
import { startVerdaccio, type VerdaccioServer } from '../../../../test/servers/npm/verdaccioServer';
import { startNpmjsServer, type NpmjsServer } from '../../../../test/servers/npmjs/npmjsServer';
import { startOidcServer, type OidcServer } from '../../../../test/servers/oidc/oidcServer';
import { startTapisServer, type TapisServer } from '../../../../test/servers/tapis/tapisServer';
import { startTapis3Server, type Tapis3Server } from '../../../../test/servers/tapis3/tapis3Server';
import { useCoreHarness } from '../../../../test/support/coreHarness';

/** servers.check, the add dialog's check of a new server: for every kind, its own reference
 * server passes, and a closed port, a web page and each other kind's reference server are said
 * on the address field. JupyterHub's own hub passing is in jupyterhubProvider.test.ts (it needs
 * the Python hub); here it must refuse everything that is not a hub. */

const { harness } = useCoreHarness();

let eds: EdsServer;
let tapis: TapisServer;
let anaconda: AnacondaServer;
let oidc: OidcServer;
let npmjs: NpmjsServer;
let verdaccio: VerdaccioServer;
let tapis3: Tapis3Server;
let html: Server;
let htmlUrl: string;
let closedUrl: string;

beforeAll(async () => {
  [eds, tapis, anaconda, oidc, npmjs, verdaccio, tapis3] = await Promise.all([
    startEdsServer(),
    startTapisServer(),
    startAnacondaServer(),
    startOidcServer({ https: false }),
    startNpmjsServer(),
    startVerdaccio(),
    startTapis3Server(),
  ]);
  // A site that answers every path with its home page (200, HTML), as a portal or proxy does.
  html = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Welcome</title><h1>Welcome</h1>'));
  await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
  htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
  closedUrl = `http://127.0.0.1:${await freePort()}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => html.close(resolve));
  await Promise.all([eds.close(), tapis.close(), anaconda.close(), oidc.close(), npmjs.close(), verdaccio.close(), tapis3.close()]);
});

/** Each kind, its reference server(s) and the settings it needs. */
const KINDS: Array<{ kind: string; own: () => string[]; alsoPasses?: () => string[]; options?: () => Record<string, string> }> = [
  { kind: 'eds', own: () => [eds.url] },
  { kind: 'tapis', own: () => [tapis.url] },
  { kind: 'anaconda', own: () => [anaconda.url] },
  // An Anaconda site is an OpenID Connect issuer too (anaconda-auth signs in through its discovery).
  { kind: 'oidc', own: () => [oidc.url], alsoPasses: () => [anaconda.url], options: () => ({ clientId: oidc.publicClientId }) },
  { kind: 'npm', own: () => [npmjs.url, verdaccio.url] },
  { kind: 'tapis3', own: () => [tapis3.url] },
  { kind: 'jupyterhub', own: () => [] },
];
const ALL = (): string[] => [eds.url, tapis.url, anaconda.url, oidc.url, npmjs.url, verdaccio.url, tapis3.url];

const changes = (kind: string, url: string, options: Record<string, string> = {}) => ({ name: `Check ${kind}`, kind, url, options });

describe('servers.check', () => {
  for (const { kind, own, alsoPasses, options } of KINDS) {
    it(`${kind}: its own server passes; a closed port, a web page and every other kind's server fail on the address field`, { timeout: 60_000 }, async () => {
      const h = await harness();
      const check = (url: string) => h.core.handle('servers.check', changes(kind, url, options?.()));
      for (const url of own()) expect(await check(url), `${kind} at its own server ${url}`).toEqual({ ok: true, value: undefined });

      for (const url of alsoPasses?.() ?? []) expect(await check(url), `${kind} at ${url}`).toEqual({ ok: true, value: undefined });
      for (const url of [closedUrl, htmlUrl, ...ALL().filter((u) => !own().includes(u) && !alsoPasses?.().includes(u))]) {
        const result = await check(url);
        expect(result.ok, `${kind} at ${url}`).toBe(false);
        if (result.ok) continue;
        expect(result.error.field, `${kind} at ${url}: ${result.error.message}`).toBe('url');
        expect(result.error.message.length).toBeGreaterThan(0);
      }
      // Nothing was saved by a check.
      expect(await h.call('servers.list')).toEqual([]);
    });
  }

  it('says what answered: a web page, nothing there (404), or no answer at all', async () => {
    const h = await harness();
    const page = await h.fail('servers.check', changes('eds', htmlUrl));
    expect(page).toMatchObject({ code: 'BAD_RESPONSE', field: 'url', message: 'Check eds did not answer as an Enthought Deployment Server.' });
    expect(page.hint).toContain('got a web page (HTTP 200)');
    const other = await h.fail('servers.check', changes('npm', eds.url));
    expect(other.hint).toContain('/-/ping and nothing is there (HTTP 404)');
    const closed = await h.fail('servers.check', changes('tapis', closedUrl));
    expect(closed).toMatchObject({ code: 'SERVER_UNREACHABLE', field: 'url' });
  });

  it('checks the settings first, as add does (a taken name is said on the name field, before any request)', async () => {
    const h = await harness();
    await h.call('servers.add', changes('eds', eds.url));
    eds.requestLog.length = 0;
    expect(await h.fail('servers.check', changes('eds', eds.url))).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(eds.requestLog).toEqual([]);
  });

  it('an edited server is checked with its own id: its name is not taken by itself', async () => {
    const h = await harness();
    const added = await h.call('servers.add', changes('eds', eds.url));
    await expect(h.call('servers.check', { ...changes('eds', eds.url), id: added.id })).resolves.toBeUndefined();
    expect(await h.fail('servers.check', { ...changes('eds', tapis.url), id: added.id })).toMatchObject({ field: 'url' });
  });

  it('add keeps working without a check (servers offline on purpose), and skipCheck adds a kind whose add asks the server', async () => {
    const h = await harness();
    expect((await h.call('servers.add', changes('eds', closedUrl))).url).toBe(closedUrl);
    // OpenID Connect's add reads discovery unless the window checked already or was told to add anyway.
    expect(await h.fail('servers.add', { ...changes('oidc', closedUrl, { clientId: 'keyport' }), name: 'Offline IdP' })).toMatchObject({ code: 'SERVER_UNREACHABLE' });
    const anyway = await h.call('servers.add', { ...changes('oidc', closedUrl, { clientId: 'keyport' }), name: 'Offline IdP', skipCheck: true });
    expect(anyway.url).toBe(closedUrl);
  });
});
