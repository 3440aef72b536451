import { describe, expect, it } from 'vitest';
import { completeMeta, type StoredSecret } from './records';
import { SecretsByServer } from './secretsByServer';

const stored = (id: string, serverId: string, ciphertext = 'c'): StoredSecret => ({
  meta: completeMeta({ id, serverId, purpose: 'api-token', name: id, savedAt: '2026-01-01T00:00:00.000Z', attributes: {} }),
  ciphertext,
});

/** What the vault did before the index: walk every secret and keep one server's. */
const walk = (secrets: Map<string, StoredSecret>, serverId: string) => [...secrets.values()].filter((s) => s.meta.serverId === serverId).map((s) => s.meta.id);
const indexed = (secrets: SecretsByServer, serverId: string) => [...secrets.ofServer(serverId)].map((s) => s.meta.id);

describe('SecretsByServer', () => {
  it('gives each server its secrets in the order of a walk over all of them, through any mix of saves, moves, removals and clears', () => {
    const secrets = new SecretsByServer();
    const servers = ['a', 'b', 'c'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 3000; step++) {
      const id = `s${next(60)}`;
      const roll = next(100);
      if (roll < 60) secrets.set(id, stored(id, servers[next(3)]!, `v${step}`));
      else if (roll < 97) secrets.delete(id);
      else secrets.clear();
      if (step % 50 === 0) for (const server of servers) expect(indexed(secrets, server), `step ${step}`).toEqual(walk(secrets, server));
    }
    for (const server of servers) expect(indexed(secrets, server)).toEqual(walk(secrets, server));
  });

  it('keeps the index when filled through the Map constructor path (set) and knows no server it never saw', () => {
    const secrets = new SecretsByServer();
    secrets.set('x', stored('x', 'a'));
    secrets.set('x', stored('x', 'a', 'changed'));
    expect([...secrets.ofServer('a')].map((s) => s.ciphertext)).toEqual(['changed']);
    expect([...secrets.ofServer('nope')]).toEqual([]);
  });
});
