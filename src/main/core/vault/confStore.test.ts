import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { confStore, type ConfLike } from './confStore';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newConf(dir = mkdtempSync(join(tmpdir(), 'keyport-confstore-'))) {
  dirs.push(dir);
  return { dir, conf: new Conf<Record<string, unknown>>({ cwd: dir, projectName: 'keyport-test' }) };
}

/** Counts reads and writes of `store` on a real conf. */
function counting(conf: ConfLike) {
  const counts = { reads: 0, writes: 0 };
  const proxy: ConfLike = {
    get store() {
      counts.reads++;
      return conf.store;
    },
    set store(value) {
      counts.writes++;
      conf.store = value;
    },
  };
  return { proxy, counts };
}

describe('confStore', () => {
  it('reads the file once, and writes each change as one write of the whole object', () => {
    const { conf } = newConf();
    const { proxy, counts } = counting(conf);
    const store = confStore(proxy);
    store.set('a', 1);
    store.setMany({ b: [1, 2], c: { d: 'e' } });
    store.delete('a');
    expect(store.get('b')).toEqual([1, 2]);
    expect(store.get('a')).toBeUndefined();
    expect(counts).toEqual({ reads: 1, writes: 3 });
  });

  it('what it writes is in the file for the next start', () => {
    const { dir, conf } = newConf();
    const store = confStore(conf);
    store.setMany({ servers: [{ id: 's1' }], secrets: { x: { ciphertext: 'v1.a.b.c' } } });
    store.delete('servers');
    const reopened = confStore(newConf(dir).conf);
    expect(reopened.get('secrets')).toEqual({ x: { ciphertext: 'v1.a.b.c' } });
    expect(reopened.get('servers')).toBeUndefined();
  });
});
