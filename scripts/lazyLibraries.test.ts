import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLikeMain } from '../bench/coreBundle.ts';

/** Libraries only some features use are loaded at their first use (src/main/core/loadOnFirstUse.ts),
 * so that start-up, and everyone who never delivers over SSH or signs in with OpenID Connect, does
 * not pay for them (issue 15, bench row 6b). This builds the app's main process as
 * `electron-vite build` does (electron.vite.config.ts, the main preset) and reads the bundler's
 * output: what the entry chunk imports statically, and what it can reach only through import(). */

const LAZY_LIBRARIES = ['ssh2', 'ssh-config', 'openid-client'] as const;

let outDir: string;
let chunks: Rollup.OutputChunk[];
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'keyport-lazy-libraries-'));
  ({ chunks } = await buildLikeMain('src/main/index.ts', outDir));
}, 120_000);
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

/** Every chunk and package `from` loads through static imports (what evaluating it loads). */
function staticallyLoaded(from: Rollup.OutputChunk): Set<string> {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const next of byName.get(name)?.imports ?? []) visit(next);
  };
  visit(from.fileName);
  return seen;
}

describe('the main bundle loads ssh2, ssh-config and openid-client only when a feature needs them', () => {
  it('the entry chunk does not import them, directly or through a chunk it imports statically', () => {
    const entry = chunks.find((c) => c.isEntry);
    expect(entry?.fileName).toBe('index.js');
    const loaded = staticallyLoaded(entry as Rollup.OutputChunk);
    // The libraries every start needs are there (so the walk did read the graph)…
    expect(loaded).toContain('undici');
    // …and the lazy ones are not.
    for (const library of LAZY_LIBRARIES) expect(loaded, `${library} is imported statically at start-up`).not.toContain(library);
  });

  it('zod is bundled (only what the core uses), not imported whole from node_modules', () => {
    for (const chunk of chunks) expect(chunk.imports, chunk.fileName).not.toContain('zod');
    const entry = chunks.find((c) => c.isEntry) as Rollup.OutputChunk;
    expect(entry.moduleIds.some((id) => id.includes('/node_modules/zod/'))).toBe(true);
  });

  it('each is in a chunk of its own that the entry reaches through import() (SSH delivery; OpenID Connect)', () => {
    const entry = chunks.find((c) => c.isEntry) as Rollup.OutputChunk;
    const lazyChunks = entry.dynamicImports.map((name) => chunks.find((c) => c.fileName === name) as Rollup.OutputChunk);
    const holder = (library: string) => lazyChunks.find((c) => c.imports.includes(library))?.fileName;
    expect(holder('ssh2')).toMatch(/^chunks\/sshTransport-.*\.js$/);
    expect(holder('ssh-config')).toBe(holder('ssh2'));
    expect(holder('openid-client')).toMatch(/^chunks\/oidcClient-.*\.js$/);
  });
});

describe('built as main is, the lazy parts load at first use', () => {
  // Inside the project, so that the chunks' imports of ssh2 and openid-client resolve from its
  // node_modules as the packaged app's do.
  const probeDir = 'out/lazy-libraries-probe';
  afterAll(async () => {
    await rm(probeDir, { recursive: true, force: true });
  });

  it('ssh2 is not loaded with the core, and is after loadSshTransport(); both chunks load and resolve their libraries', async () => {
    const { file } = await buildLikeMain('scripts/lazyChunksProbe.ts', probeDir);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ core: 'function', before: false, after: true, openSshSession: 'function', discover: 'function' });
  }, 120_000);
});
