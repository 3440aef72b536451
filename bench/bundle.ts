import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RendererConfigFactory, loadConfigFromFile, type RendererViteConfig } from 'electron-vite';
import { build } from 'vite';
import type { Figure } from './report.ts';

/** The built renderer; KEYPORT_BENCH_RENDERER names another build, for A/B runs (a copy of
 * out/renderer from before a change, measured back to back with the new one). */
export const RENDERER_DIR = resolve(process.env.KEYPORT_BENCH_RENDERER ?? 'out/renderer');
/** The bare React app is built here, inside bench/ so that it resolves react from the project's
 * node_modules; removed when the bench ends. */
export const BASELINE_DIR = resolve('bench/.baseline');
export const BASELINE_OUT = join(BASELINE_DIR, 'out');
export const BASELINE_ITEMS = 20;

/** Sum of gzip sizes (zlib's default level, as Vite reports) of every .js file under `dir`. */
async function gzipJsBytes(dir: string): Promise<{ bytes: number; raw: number; files: string[] }> {
  let bytes = 0;
  let raw = 0;
  const files: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const content = await readFile(join(entry.parentPath, entry.name));
    raw += content.length;
    bytes += gzipSync(content).length;
    files.push(entry.name);
  }
  return { bytes, raw, files };
}

const BARE_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>Bare React</title></head>
  <body><div id="root"></div><script type="module" src="./main.jsx"></script></body>
</html>
`;

// A bare React page: an input (for the keystroke floor) and 20 list items (for the first-render
// floor), in StrictMode like the app.
const BARE_MAIN = `import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

const names = Array.from({ length: ${BASELINE_ITEMS} }, (_, i) => 'Server ' + (i + 1));

function App() {
  return (
    <main>
      <input type="search" aria-label="Filter" />
      <nav aria-label="Servers">
        <ul>
          {names.map((name) => (
            <li key={name}>
              <button type="button">{name}</button>
            </li>
          ))}
        </ul>
      </nav>
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
`;

async function rendererConfig(): Promise<RendererViteConfig> {
  process.env.NODE_ENV_ELECTRON_VITE = 'production';
  const loaded = await loadConfigFromFile({ command: 'build', mode: 'production' }, resolve('electron.vite.config.ts'), undefined, 'silent');
  const renderer = loaded.config.renderer;
  if (!renderer || typeof renderer === 'function') throw new Error('electron.vite.config.ts has no plain renderer config to copy.');
  return renderer as RendererViteConfig;
}

/** Builds a page with the renderer settings of electron.vite.config.ts (its plugins, and
 * electron-vite's renderer preset: Electron's Chrome target, no minification, no module-preload
 * polyfill), only with another root, entry and output; `minify` overrides for the what-if. */
async function buildWithRendererSettings(options: { root: string; outDir: string; minify?: boolean; modules?: Map<string, number> }): Promise<void> {
  const base = await rendererConfig();
  const modules = options.modules;
  const config: RendererViteConfig = {
    ...base,
    root: options.root,
    logLevel: 'silent',
    plugins: [
      ...(base.plugins ?? []),
      modules
        ? {
            name: 'keyport-bench-module-sizes',
            generateBundle(_options, bundle) {
              for (const chunk of Object.values(bundle)) {
                if (chunk.type !== 'chunk') continue;
                for (const [id, info] of Object.entries(chunk.modules)) {
                  const key = packageOf(id);
                  modules.set(key, (modules.get(key) ?? 0) + info.renderedLength);
                }
              }
            },
          }
        : null,
    ],
    build: {
      ...base.build,
      outDir: options.outDir,
      emptyOutDir: true,
      ...(options.minify === undefined ? {} : { minify: options.minify }),
      rollupOptions: { ...base.build?.rollupOptions, input: { index: join(options.root, 'index.html') } },
    },
  };
  const resolved = await new RendererConfigFactory(config, { mode: 'production', configFile: false, logLevel: 'silent' }, { root: options.root }).build();
  await build({ ...resolved, configFile: false });
}

/** "react-dom", "@tanstack/virtual-core", or "src/renderer" for our own code. */
function packageOf(id: string): string {
  const at = id.lastIndexOf('node_modules/');
  if (at < 0) return id.includes('/src/renderer/') ? 'src/renderer' : id.includes('/src/shared/') ? 'src/shared' : 'other';
  const parts = id.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? id);
}

/** Writes the bare React page into bench/.baseline and builds it like the renderer. */
export async function buildBaseline(): Promise<void> {
  await rm(BASELINE_DIR, { recursive: true, force: true });
  await mkdir(BASELINE_DIR, { recursive: true });
  await writeFile(join(BASELINE_DIR, 'index.html'), BARE_HTML);
  await writeFile(join(BASELINE_DIR, 'main.jsx'), BARE_MAIN);
  await buildWithRendererSettings({ root: BASELINE_DIR, outDir: BASELINE_OUT });
}

export async function bundleFigure(): Promise<Figure> {
  const app = await gzipJsBytes(RENDERER_DIR);
  const bare = await gzipJsBytes(BASELINE_OUT);
  // What-ifs, for the note: both pages minified, and what the renderer's bytes are made of.
  const modules = new Map<string, number>();
  const appMin = join(BASELINE_DIR, 'app-min');
  const bareMin = join(BASELINE_DIR, 'bare-min');
  await buildWithRendererSettings({ root: resolve('src/renderer'), outDir: appMin, minify: true, modules });
  await buildWithRendererSettings({ root: BASELINE_DIR, outDir: bareMin, minify: true });
  const appMinified = await gzipJsBytes(appMin);
  const bareMinified = await gzipJsBytes(bareMin);
  const kb = (n: number) => n / 1024;
  const composition = Object.fromEntries([...modules].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(kb(v))]));
  return {
    id: '1',
    figure: 'Renderer JS, gzip',
    unit: 'KB',
    value: kb(app.bytes),
    baseline: kb(bare.bytes),
    baselineLabel: 'bare React + ReactDOM',
    target: { max: 95 },
    note: `Every .js file the window can load, minified as electron.vite.config.ts builds it (electron-vite's default is unminified). ${(kb(app.bytes)).toFixed(2)} KB exactly.`,
    details: {
      appRawKB: kb(app.raw),
      baselineRawKB: kb(bare.raw),
      minifiedGzipKB: kb(appMinified.bytes),
      baselineMinifiedGzipKB: kb(bareMinified.bytes),
      unminifiedKBByPackage: composition,
    },
  };
}
