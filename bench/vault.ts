import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { appendFileSync, closeSync, fdatasyncSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { join } from 'node:path';
import { createAesCipher } from '../src/main/core/vault/aesCipher';
import { writeFileDurablySync } from '../src/main/core/files/durableWrite';
import { Vault } from '../src/main/core/vault/vault';
import { openVaultFile } from '../src/main/core/vault/vaultFile';
import { openVaultStore } from './benchHost.ts';
import { median, round, type Figure } from './report.ts';
import { LARGE_SERVERS, LARGE_TOKENS, serverRecord, savedTokenSecrets, tokenNames, writeVault } from './seed.ts';

const RUNS = 15;
const COMPACTIONS = 5;
const quietLogger = { warn: () => undefined, error: () => undefined };

/** 4. The vault with 10,000 secrets (AES cipher) in its file on a temp folder: open from disk,
 * and save after one change, each against the file operations underneath. */
export async function vaultFigures(): Promise<Figure[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyport-bench-vault-'));
  const scratch = join(dataDir, 'baseline.json');
  const recordFile = join(dataDir, 'one-record.json');
  const logFd = openSync(join(dataDir, 'one-record.log'), 'a');
  try {
    const key = randomBytes(32);
    const cipher = createAesCipher(key, 'aes-256-gcm (bench key)');
    const servers = Array.from({ length: LARGE_SERVERS }, (_, i) => serverRecord(`Server ${i + 1}`, 'http://127.0.0.1:9'));
    const secrets = await savedTokenSecrets(key, servers[0]!, tokenNames(LARGE_TOKENS));
    const { store, path } = openVaultStore(dataDir);
    writeVault(store, servers, secrets);
    const fileBytes = (await readFile(path)).length;

    const open: number[] = [];
    const parse: number[] = [];
    const storeOpen: number[] = [];
    for (let run = -2; run < RUNS; run++) {
      // From the file on disk, as at start: the store reads and parses it, the vault validates
      // every record.
      let t = performance.now();
      const opened = openVaultFile(path);
      const storeMs = performance.now() - t;
      const vault = new Vault(opened, cipher, quietLogger);
      const openMs = performance.now() - t;
      if (vault.secrets().length !== LARGE_TOKENS) throw new Error('the vault did not load every secret');
      t = performance.now();
      // Every line of the log parsed: the least any reader of this file does (read as bytes and
      // decoded, which is faster than readFileSync(path, 'utf8') on Node 24, as the store does).
      for (const line of readFileSync(path).toString('utf8').split('\n')) if (line) JSON.parse(line);
      const parsed = performance.now() - t;
      if (run >= 0) {
        open.push(openMs);
        storeOpen.push(storeMs);
        parse.push(parsed);
      }
    }

    // Decrypting is lazy: a secret is decrypted when used (copy, session). One, for the record.
    const vault = new Vault(openVaultFile(path), cipher, quietLogger);
    const firstId = Object.keys(secrets)[0] as string;
    let t = performance.now();
    await vault.readSecret(firstId);
    const decryptOne = performance.now() - t;

    // The longest stretch the main thread cannot run anything else, during each save and each
    // compaction: the longest gap between turns of a setImmediate loop (cross-checked with
    // perf_hooks' event-loop delay histogram), against the same loop left idle as long.
    const saveStalls: number[] = [];
    const saveCpu: number[] = [];
    const saveLoopDelay: number[] = [];
    const saveGc: number[] = [];
    const watched = openVaultFile(path);
    const stalled = new Vault(watched, cipher, quietLogger);
    for (let run = -2; run < RUNS; run++) {
      const id = randomUUID();
      const meta = { id, serverId: servers[1]!.id, purpose: 'api-token' as const, name: `bench-${id}`, savedAt: new Date().toISOString(), attributes: {} };
      const stall = await longestStall(() => stalled.putSecret(meta, 'a new token value'));
      if (run >= 0) {
        saveStalls.push(stall.gapMs);
        saveCpu.push(stall.cpuMs);
        saveLoopDelay.push(stall.loopDelayMs);
        saveGc.push(stall.gcMs);
      }
    }
    const compactStalls: number[] = [];
    const compactCpu: number[] = [];
    const compactLoopDelay: number[] = [];
    const compactGc: number[] = [];
    const compactMs: number[] = [];
    for (let run = 0; run < COMPACTIONS; run++) {
      t = performance.now();
      const stall = await longestStall(() => watched.compact());
      compactMs.push(performance.now() - t);
      compactStalls.push(stall.gapMs);
      compactCpu.push(stall.cpuMs);
      compactLoopDelay.push(stall.loopDelayMs);
      compactGc.push(stall.gcMs);
    }
    watched.close();
    const idleSave = await idleStall(median(saveStalls) * RUNS);
    const idleCompact = await idleStall(compactMs.reduce((a, b) => a + b, 0));

    const save: number[] = [];
    const write: number[] = [];
    const writeOne: number[] = [];
    const appendOne: number[] = [];
    for (let run = -2; run < RUNS; run++) {
      const id = randomUUID();
      const meta = { id, serverId: servers[1]!.id, purpose: 'api-token' as const, name: `bench-${id}`, savedAt: new Date().toISOString(), attributes: {} };
      t = performance.now();
      await vault.putSecret(meta, 'a new token value');
      const saved = performance.now() - t;
      // The floors: the same bytes written durably (atomic, fsync'd file and folder); one
      // record alone written the same way; one record appended to a log with fdatasync.
      const bytes = readFileSync(path, 'utf8');
      const record = JSON.stringify({ [firstId]: secrets[firstId] });
      t = performance.now();
      writeFileDurablySync(scratch, bytes);
      const written = performance.now() - t;
      t = performance.now();
      writeFileDurablySync(recordFile, record);
      const wroteOne = performance.now() - t;
      t = performance.now();
      appendFileSync(logFd, `${record}\n`);
      fdatasyncSync(logFd);
      const appended = performance.now() - t;
      if (run >= 0) {
        save.push(saved);
        write.push(written);
        writeOne.push(wroteOne);
        appendOne.push(appended);
      }
    }
    closeSync(logFd);
    const worst = (samples: number[]) => Math.max(...samples);

    const mb = round(fileBytes / 1024 / 1024, 2);
    return [
      {
        id: '4a',
        figure: `Vault open from disk, 10,000 secrets (${mb} MB file; median of ${RUNS})`,
        unit: 'ms',
        value: median(open),
        baseline: median(parse),
        baselineLabel: 'readFile + JSON.parse of each line',
        target: { max: 30 },
        note: 'Open = the store reads the file and replays its log + the vault validates every record; values stay encrypted until used.',
        details: {
          samples: open.map((n) => round(n)),
          baselineSamples: parse.map((n) => round(n)),
          fileBytes,
          storeOpenMsMedian: round(median(storeOpen)),
          validateMsMedian: round(median(open) - median(storeOpen)),
          decryptOneSecretMs: round(decryptOne, 3),
        },
      },
      {
        id: '4b',
        figure: `Vault save after one change (median of ${RUNS})`,
        unit: 'ms',
        value: median(save),
        baseline: median(write),
        baselineLabel: 'atomic fsync\'d write, same bytes',
        target: { max: 5 },
        note: `Save = encrypt + one durable write. One-record floors: ${round(median(writeOne), 2)} ms (a record file, atomic, fsync'd), ${round(median(appendOne), 2)} ms (append + fdatasync).`,
        details: {
          samples: save.map((n) => round(n)),
          baselineSamples: write.map((n) => round(n)),
          oneRecordFileMsMedian: round(median(writeOne), 3),
          oneRecordAppendMsMedian: round(median(appendOne), 3),
          recordBytes: JSON.stringify(Object.values(secrets)[0]).length,
        },
      },
      {
        id: '4c',
        figure: `Longest main-thread stall during a save, 10,000 secrets (worst of ${RUNS})`,
        unit: 'ms',
        value: worst(saveStalls),
        baseline: idleSave.gapMs,
        baselineLabel: 'same loop idle, as long',
        target: { max: 16 },
        note: `Longest gap between event-loop turns while a save runs (encrypt, append, fdatasync). Median ${round(median(saveStalls), 2)} ms; CPU time in the longest gap at most ${round(worst(saveCpu), 2)} ms (a loaded machine stretches gaps it did not cause); perf_hooks event-loop delay max ${round(worst(saveLoopDelay), 2)} ms (idle ${round(idleSave.loopDelayMs, 2)} ms).`,
        details: { samples: saveStalls.map((n) => round(n)), cpuSamples: saveCpu.map((n) => round(n)), gcInLongestGapSamples: saveGc.map((n) => round(n)), loopDelayMaxSamples: saveLoopDelay.map((n) => round(n)), idleGapMs: round(idleSave.gapMs), idleLoopDelayMs: round(idleSave.loopDelayMs) },
      },
      {
        id: '4d',
        figure: `Longest main-thread stall during compaction, 10,000 secrets (worst of ${COMPACTIONS})`,
        unit: 'ms',
        value: worst(compactStalls),
        baseline: idleCompact.gapMs,
        baselineLabel: 'same loop idle, as long',
        target: { max: 16 },
        note: `Compaction serializes in slices of ~4 ms and writes asynchronously; the synchronous tail is the rename and the folder's fsync. Compaction takes ${round(median(compactMs), 0)} ms (median); CPU time in the longest gap at most ${round(worst(compactCpu), 2)} ms; V8's garbage collector held ${round(compactGc[compactStalls.indexOf(worst(compactStalls))] ?? 0, 2)} ms of the worst gap; perf_hooks event-loop delay max ${round(worst(compactLoopDelay), 2)} ms (idle ${round(idleCompact.loopDelayMs, 2)} ms).`,
        details: { samples: compactStalls.map((n) => round(n)), cpuSamples: compactCpu.map((n) => round(n)), gcInLongestGapSamples: compactGc.map((n) => round(n)), loopDelayMaxSamples: compactLoopDelay.map((n) => round(n)), compactMs: compactMs.map((n) => round(n)), idleGapMs: round(idleCompact.gapMs), idleLoopDelayMs: round(idleCompact.loopDelayMs) },
      },
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface Stall {
  /** The longest gap between two turns of a setImmediate loop, ms. */
  gapMs: number;
  /** The most CPU time the process used within one such gap, ms: on a machine busy with other
   * work, a gap can be long because the thread was not scheduled; this is the part that was
   * Keyport's own work (all of the process's threads, so an upper bound for the main one). */
  cpuMs: number;
  /** perf_hooks' event-loop delay histogram's max (1 ms timer), ms. */
  loopDelayMs: number;
  /** How much of the longest gap V8's garbage collector held the thread (perf_hooks 'gc'
   * entries), ms: a pause no code of Keyport's can slice. */
  gcMs: number;
}

/** Runs `work` with the event loop watched. */
async function longestStall(work: () => Promise<unknown>): Promise<Stall> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const collections: PerformanceEntry[] = [];
  const gcWatch = new PerformanceObserver((list) => collections.push(...list.getEntries()));
  gcWatch.observe({ entryTypes: ['gc'] });
  let running = true;
  let longest = 0;
  let longestFrom = 0;
  let longestCpu = 0;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const turn = () => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    if (now - last > longest) {
      longest = now - last;
      longestFrom = last;
    }
    longestCpu = Math.max(longestCpu, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000);
    last = now;
    lastCpu = cpu;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  try {
    await work();
    // The turn after the work: a synchronous tail at its very end is counted too.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    running = false;
    histogram.disable();
    // GC entries are delivered after the collection: one more timer turn, then what is queued.
    await new Promise((resolve) => setTimeout(resolve, 1));
    collections.push(...gcWatch.takeRecords());
    gcWatch.disconnect();
  }
  const longestTo = longestFrom + longest;
  const gcMs = collections.reduce((sum, gc) => sum + Math.max(0, Math.min(gc.startTime + gc.duration, longestTo) - Math.max(gc.startTime, longestFrom)), 0);
  return { gapMs: longest, cpuMs: longestCpu, loopDelayMs: histogram.max / 1e6, gcMs };
}

/** The same watch with nothing to do for `ms`: what the machine itself costs. */
const idleStall = (ms: number): Promise<Stall> => longestStall(() => new Promise((resolve) => setTimeout(resolve, Math.max(ms, 50))));
