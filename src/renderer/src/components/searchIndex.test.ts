import { describe, expect, it } from 'vitest';
import type { KindDescriptor, SavedSecretView, ServerView, TokenView } from '../../../shared/model';
import { MAX_RESULTS, search } from './searchIndex';

const kinds = [
  { kind: 'eds', label: 'Enthought Deployment Server' },
  { kind: 'tapis', label: 'Tapis (TACC Agave)' },
] as KindDescriptor[];

function server(id: string, name: string, kind: string, user?: { name: string; email?: string }): ServerView {
  return {
    id,
    name,
    kind,
    url: `https://${id}.example.com`,
    options: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    allowInsecureTls: false,
    caCertificatePath: null,
    session: user
      ? { state: 'signed-in', user, method: 'password', signedInAt: '', persisted: true, expiresAt: null, dependsOn: null, passwordRemembered: false }
      : { state: 'signed-out' },
  } as ServerView;
}

const token = (id: string, name: string) => ({ id, name }) as TokenView;
const servers = [server('a', 'Enthought prod', 'eds', { name: 'alice', email: 'alice@example.com' }), server('b', 'Café cluster', 'tapis'), server('c', 'Staging', 'eds', { name: 'bob' })];
const saved: SavedSecretView[] = [{ id: 'sec1', serverId: 'a', name: 'deploy', savedAt: '', expiresAt: null, pinned: false }];
const tokens = { a: { items: [token('t1', 'deploy'), token('t2', 'laptop')] }, c: { items: [token('t3', 'deploy-staging')] } };
const find = (query: string) => search(query, { servers, kinds, saved, tokens }).map((r) => `${r.type}:${r.title}`);

describe('search', () => {
  it('finds servers by name, kind label, kind id, URL and signed-in user or email', () => {
    expect(find('prod')).toEqual(['server:Enthought prod', 'saved:deploy', 'token:laptop']);
    expect(find('enthought deployment')).toEqual(['server:Enthought prod', 'server:Staging']);
    expect(find('tapis')).toEqual(['server:Café cluster']);
    // The user is the server's, not its tokens'.
    expect(find('alice@')).toEqual(['server:Enthought prod']);
    expect(find('bob')).toEqual(['server:Staging']);
    expect(find('b.example')).toEqual(['server:Café cluster']);
  });

  it('finds tokens by name and by their server; a saved token appears once, as saved (copyable)', () => {
    // Tokens named deploy… first; the EDS servers follow (their kind is "Enthought Deployment Server").
    expect(find('deploy')).toEqual(['saved:deploy', 'token:deploy-staging', 'server:Enthought prod', 'server:Staging']);
    expect(find('laptop')).toEqual(['token:laptop']);
    expect(find('staging')).toEqual(['server:Staging', 'token:deploy-staging']);
  });

  it('every word must match; case and accents do not matter; names starting with the query come first', () => {
    expect(find('DEPLOY staging')).toEqual(['token:deploy-staging', 'server:Staging']);
    expect(find('cafe')).toEqual(['server:Café cluster']);
    expect(find('lap enthought')).toEqual(['token:laptop']);
    expect(find('nothing-like-this')).toEqual([]);
    // "Enthought prod" starts with it; the rest contain it (Staging through its kind), in list order.
    expect(find('ent')).toEqual(['server:Enthought prod', 'server:Staging', 'saved:deploy', 'token:laptop']);
  });

  it('an empty query lists everything, up to the limit', () => {
    expect(find('')).toHaveLength(3 + 1 + 2);
    const many = Array.from({ length: 80 }, (_, i) => server(`s${i}`, `server ${i}`, 'eds'));
    expect(search('', { servers: many, kinds, saved: [], tokens: {} })).toHaveLength(MAX_RESULTS);
    expect(search('server 7', { servers: many, kinds, saved: [], tokens: {} }).map((r) => r.title)).toEqual(['server 7', ...[17, 27, 37, 47, 57, 67].map((n) => `server ${n}`), ...Array.from({ length: 10 }, (_, i) => `server ${70 + i}`)]);
  });

  it('a saved token of a server that is gone is not offered', () => {
    expect(search('orphan', { servers, kinds, saved: [{ id: 'x', serverId: 'gone', name: 'orphan', savedAt: '', expiresAt: null, pinned: false }], tokens: {} })).toEqual([]);
  });
});
