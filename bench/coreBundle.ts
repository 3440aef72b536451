import { resolve } from 'node:path';
import { MainConfigFactory, loadConfigFromFile, type MainViteConfig } from 'electron-vite';
import { build, type Rollup } from 'vite';

export const CORE_CLI_OUT = resolve('out/bench');
/** The bundled Keyport command line of figure 8, run by plain Node. */
export const CORE_CLI = resolve(CORE_CLI_OUT, 'coreCli.js');

/** Builds `entry` with the main-process settings of electron.vite.config.ts (its config, and
 * electron-vite's main preset: Electron's Node target, dependencies left as imports from
 * node_modules, unminified, ES module, a chunk per dynamic import), only with another entry and
 * output folder: the same kind of file as out/main/index.js, without Electron. Returns the
 * entry's file, `outDir/<name>.js`, and what the bundler wrote (its chunks and their imports). */
export async function buildLikeMain(entry: string, outDir: string): Promise<{ file: string; chunks: Rollup.OutputChunk[] }> {
  process.env.NODE_ENV_ELECTRON_VITE = 'production';
  const loaded = await loadConfigFromFile({ command: 'build', mode: 'production' }, resolve('electron.vite.config.ts'), undefined, 'silent');
  const main = loaded.config.main;
  if (!main || typeof main === 'function') throw new Error('electron.vite.config.ts has no plain main config to copy.');
  const base = main as MainViteConfig;
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const config: MainViteConfig = {
    ...base,
    logLevel: 'silent',
    build: {
      ...base.build,
      outDir,
      emptyOutDir: true,
      rollupOptions: { ...base.build?.rollupOptions, input: { [name]: resolve(entry) } },
    },
  };
  const resolved = await new MainConfigFactory(config, { mode: 'production', configFile: false, logLevel: 'silent' }, { root: process.cwd() }).build();
  const written = await build({ ...resolved, configFile: false });
  const outputs = (Array.isArray(written) ? written : [written]) as Rollup.RollupOutput[];
  const chunks = outputs.flatMap((o) => o.output.filter((item): item is Rollup.OutputChunk => item.type === 'chunk'));
  return { file: resolve(outDir, `${name}.js`), chunks };
}

/** The bundled Keyport command line of figure 8. */
export async function buildCoreCli(): Promise<string> {
  return (await buildLikeMain('bench/coreCli.ts', CORE_CLI_OUT)).file;
}
