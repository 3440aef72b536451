import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';

/** electron-builder.yml, loaded and validated exactly as `electron-builder --config` does:
 * app-builder-lib's own loader and its ajv check against scheme.json (unknown keys, wrong
 * types and misplaced options all fail). */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG_FILE = 'electron-builder.yml';

type Config = Awaited<ReturnType<typeof getConfig>>;
let config: Config;

beforeAll(async () => {
  config = await getConfig(ROOT, CONFIG_FILE, null);
});

/** Every string under a key named `icon`, anywhere in the configuration. */
function iconPaths(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return key === 'icon' ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => iconPaths(item));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => iconPaths(v, k));
  return [];
}

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  // Loading electron-builder's schema takes seconds on a busy machine: not a speed test.
  it("passes electron-builder's own schema validation", { timeout: 30_000 }, async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would fail that validation with a misspelled option (the check is real)', async () => {
    const broken = { ...config, electronFuses: { ...config.electronFuses, runAsNodee: false } } as Config;
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('identifies the app and packages only the built output', () => {
    expect(config.appId).toBe('dev.keyport.app');
    expect(config.productName).toBe('Keyport');
    expect(config.directories?.output).toBe('dist');
    // builder's loader normalizes the `files` list into one file set.
    expect(config.files).toEqual([{ filter: ['out/**', 'package.json'] }]);
    expect(config.asar).toBe(true);
  });

  it('flips the security fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('builds AppImage and deb, dmg, and an assisted NSIS installer', () => {
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'], category: 'Utility', maintainer: expect.stringMatching(/<.+@.+>/) });
    expect(config.mac).toMatchObject({ target: 'dmg', category: 'public.app-category.developer-tools', hardenedRuntime: true });
    expect(config.win).toMatchObject({ target: 'nsis' });
    expect(config.nsis).toMatchObject({ oneClick: false, allowToChangeInstallationDirectory: true });
  });

  it('references icon files that exist and are large enough for builder to convert', () => {
    const icons = iconPaths(config);
    expect(icons.length).toBeGreaterThanOrEqual(3);
    for (const icon of icons) {
      const file = join(ROOT, icon);
      expect(existsSync(file), `${icon} exists`).toBe(true);
      if (icon.endsWith('.png')) {
        const { width, height } = pngSize(file);
        expect(width, `${icon} is square`).toBe(height);
        // builder's icon converter needs ≥ 512 for .icns and ≥ 256 for .ico.
        expect(width, `${icon} size`).toBeGreaterThanOrEqual(icon === config.mac?.icon ? 1024 : 512);
      }
    }
    expect(pngSize(join(ROOT, 'assets/icon.png'))).toEqual({ width: 512, height: 512 });
    expect(existsSync(join(ROOT, 'assets/icon.svg'))).toBe(true);
  });

  it('ships the tray icon outside the asar, from a file that exists, where src/main/index.ts loads it', () => {
    expect(config.extraResources).toEqual([{ from: 'assets/icon.png', to: 'tray-icon.png' }]);
    expect(existsSync(join(ROOT, 'assets/icon.png'))).toBe(true);
    expect(readFileSync(join(ROOT, 'src/main/index.ts'), 'utf8')).toContain("join(process.resourcesPath, 'tray-icon.png')");
  });

  it('points the package at the main bundle electron-vite writes', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main?: string };
    expect(pkg.main).toBe('./out/main/index.js');
  });
});
