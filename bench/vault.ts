import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAesCipher } from '../src/main/core/vault/aesCipher';
import type { KeyValueStore } from '../src/main/core/ports';
import { Vault } from '../src/main/core/vault/vault';
import { openConfStore } from './benchHost.ts';
import { median, round, type Figure } from './report.ts';
import { LARGE_SERVERS, LARGE_TOKENS, serverRecord, savedTokenSecrets, tokenNames, writeVault } from './seed.ts';

const RUNS = 15;
const quietLogger = { warn: () => undefined, error: () => undefined };

/** The conf store, timed: how much of open and save is the store itself. */
function timedStore(dataDir: string): { store: KeyValueStore; stats: { gets: number; getMs: number; sets: number; setMs: number } } {
  const { store } = openConfStore(dataDir);
  const stats = { gets: 0, getMs: 0, sets: 0, setMs: 0 };
  const timed = <A extends unknown[], R>(fn: (...args: A) => R, kind: 'get' | 'set') => (...args: A): R => {
    const t = performance.now();
    try {
      return fn(...args);
    } finally {
      if (kind === 'get') {
        stats.gets++;
        stats.getMs += performance.now() - t;
      } else {
        stats.sets++;
        stats.setMs += performance.now() - t;
      }
    }
  };
  return {
    stats,
    store: { get: timed(store.get, 'get'), set: timed(store.set, 'set'), delete: timed(store.delete, 'set'), setMany: timed(store.setMany, 'set') },
  };
}

/** 4. The vault with 10,000 secrets (AES cipher) in conf on a temp folder: open, and save
 * after one change, each against the plain file operation underneath. */
export async function vaultFigures(): Promise<Figure[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyport-bench-vault-'));
  const scratch = join(dataDir, 'baseline.json');
  try {
    const key = randomBytes(32);
    const cipher = createAesCipher(key, 'aes-256-gcm (bench key)');
    const servers = Array.from({ length: LARGE_SERVERS }, (_, i) => serverRecord(`Server ${i + 1}`, 'http://127.0.0.1:9'));
    const secrets = await savedTokenSecrets(key, servers[0]!, tokenNames(LARGE_TOKENS));
    const { store, path } = openConfStore(dataDir);
    writeVault(store, servers, secrets);
    const fileBytes = (await readFile(path)).length;

    const open: number[] = [];
    const parse: number[] = [];
    const openStoreMs: number[] = [];
    let openGets = 0;
    for (let run = -2; run < RUNS; run++) {
      const timed = timedStore(dataDir);
      let t = performance.now();
      const vault = new Vault(timed.store, cipher, quietLogger);
      const opened = performance.now() - t;
      openGets = timed.stats.gets;
      if (run >= 0) openStoreMs.push(timed.stats.getMs);
      if (vault.secrets().length !== LARGE_TOKENS) throw new Error('the vault did not load every secret');
      t = performance.now();
      JSON.parse(readFileSync(path, 'utf8'));
      const parsed = performance.now() - t;
      if (run >= 0) {
        open.push(opened);
        parse.push(parsed);
      }
    }

    // Decrypting is lazy: a secret is decrypted when used (copy, session). One, for the record.
    const timed = timedStore(dataDir);
    const vault = new Vault(timed.store, cipher, quietLogger);
    const firstId = Object.keys(secrets)[0] as string;
    let t = performance.now();
    await vault.readSecret(firstId);
    const decryptOne = performance.now() - t;

    const save: number[] = [];
    const write: number[] = [];
    const saveStoreMs: number[] = [];
    for (let run = -2; run < RUNS; run++) {
      const id = randomUUID();
      const setMsBefore = timed.stats.setMs;
      t = performance.now();
      await vault.putSecret({ id, serverId: servers[1]!.id, purpose: 'api-token', name: `bench-${id}`, savedAt: new Date().toISOString(), attributes: {} }, 'a new token value');
      const saved = performance.now() - t;
      const bytes = readFileSync(path);
      t = performance.now();
      writeFileSync(scratch, bytes);
      const written = performance.now() - t;
      if (run >= 0) {
        saveStoreMs.push(timed.stats.setMs - setMsBefore);
        save.push(saved);
        write.push(written);
      }
    }
    await writeFile(scratch, '');

    const mb = round(fileBytes / 1024 / 1024, 2);
    return [
      {
        id: '4a',
        figure: `Vault open, 10,000 secrets (${mb} MB file; median of ${RUNS})`,
        unit: 'ms',
        value: median(open),
        baseline: median(parse),
        baselineLabel: 'readFile + JSON.parse',
        target: { max: 50 },
        note: 'Open = conf reads the file + the vault validates every record; values stay encrypted until used.',
        details: {
          samples: open.map((n) => round(n)),
          baselineSamples: parse.map((n) => round(n)),
          fileBytes,
          storeReadsPerOpen: openGets,
          storeReadMsMedian: round(median(openStoreMs)),
          validateMsMedian: round(median(open) - median(openStoreMs)),
          decryptOneSecretMs: round(decryptOne, 3),
        },
      },
      {
        id: '4b',
        figure: `Vault save after one change (median of ${RUNS})`,
        unit: 'ms',
        value: median(save),
        baseline: median(write),
        baselineLabel: 'writeFile, same bytes',
        target: { max: 20 },
        note: 'Save = encrypt + conf set (read, change, atomic write of the whole file).',
        details: { samples: save.map((n) => round(n)), baselineSamples: write.map((n) => round(n)), storeSetMsMedian: round(median(saveStoreMs)) },
      },
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
