import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** ARCHITECTURE.md: src/main/core runs in plain Node (unit tests, the browser host), so it may
 * not load Electron or the Electron adapters. ESLint says so too; this test also catches what a
 * lint rule misses (require, dynamic import, createRequire(...)('electron'), a disabled rule).
 * It lives outside src/main/core so that its own examples below are not in the tree it checks
 * (nor in any scan of that tree for Electron imports). */

const CORE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main', 'core');
const ADAPTERS_DIR = resolve(CORE_DIR, '..', 'electron');
const SOURCE_FILE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

/** Any call whose single argument is the literal module name: require('electron'),
 * import('electron'), createRequire(url)('electron'), with ', " or `. */
const ELECTRON_CALL = /\(\s*(['"`])electron(?:\/[^'"`]*)?\1\s*\)/;

function isElectronModule(specifier: string): boolean {
  return specifier === 'electron' || specifier.startsWith('electron/');
}

/** The reasons `source` (a file at `file`) breaks the rule; empty when it does not. */
function forbiddenImports(source: string, file: string): string[] {
  const problems: string[] = [];
  const { importedFiles } = ts.preProcessFile(source, true, true);
  for (const { fileName: specifier } of importedFiles) {
    if (isElectronModule(specifier)) {
      problems.push(`imports '${specifier}'`);
    } else if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (target === ADAPTERS_DIR || target.startsWith(ADAPTERS_DIR + sep)) problems.push(`imports the Electron adapters ('${specifier}')`);
    } else if (/(?:^|\/)main\/electron(?:\/|$)/.test(specifier)) {
      problems.push(`imports the Electron adapters ('${specifier}')`);
    }
  }
  if (ELECTRON_CALL.test(source)) problems.push("loads 'electron' by a call");
  return [...new Set(problems)];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && SOURCE_FILE.test(entry.name) ? [path] : [];
  });
}

describe('src/main/core', () => {
  const files = sourceFiles(CORE_DIR);

  it('has files to check', () => {
    expect(files.map((file) => relative(CORE_DIR, file))).toContain('core.ts');
  });

  it('never imports or requires electron, nor the Electron adapters', () => {
    const offenders = files.flatMap((file) =>
      forbiddenImports(readFileSync(file, 'utf8'), file).map((problem) => `${relative(CORE_DIR, file)}: ${problem}`),
    );
    expect(offenders).toEqual([]);
  });
});

describe('forbiddenImports (the check itself)', () => {
  const inCore = join(CORE_DIR, 'vault', 'example.ts');

  it.each([
    ["import { app } from 'electron';", "imports 'electron'"],
    ["import type { App } from 'electron';", "imports 'electron'"],
    ["import 'electron';", "imports 'electron'"],
    ["export { shell } from \"electron\";", "imports 'electron'"],
    ["import { ipcMain } from 'electron/main';", "imports 'electron/main'"],
    ["const { app } = await import('electron');", "imports 'electron'"],
    ['const e = await import(`electron`);', "imports 'electron'"],
    ["const { app } = require('electron');", "imports 'electron'"],
    ["const e = createRequire(import.meta.url)('electron');", "loads 'electron' by a call"],
    ["import { createMainWindow } from '../../electron/hardenedWindow';", "imports the Electron adapters ('../../electron/hardenedWindow')"],
    ["import * as adapters from '../../electron';", "imports the Electron adapters ('../../electron')"],
    ["const m = await import('../../electron/ipcTransport');", "imports the Electron adapters ('../../electron/ipcTransport')"],
    ["import x from 'src/main/electron/stores';", "imports the Electron adapters ('src/main/electron/stores')"],
  ])('flags %s', (source, problem) => {
    expect(forbiddenImports(source, inCore)).toContain(problem);
  });

  it.each([
    "import { z } from 'zod';",
    "import type { Cipher } from '../ports';",
    "import { Vault } from './vault';",
    "// The Electron app implements this port in src/main/electron with safeStorage.",
    "const backend = 'electron-store';",
  ])('accepts %s', (source) => {
    expect(forbiddenImports(source, inCore)).toEqual([]);
  });
});
