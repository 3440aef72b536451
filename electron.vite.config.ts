import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

// The dev server's React refresh preamble is an inline script, which the production CSP in
// index.html forbids. In `electron-vite dev` only, drop the meta policy (main then sends the
// looser development header); builds keep it.
const devCspRelaxation: Plugin = {
  name: 'keyport-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/, ''),
};

// JSX compiles to calls of react/jsx-runtime's jsx and jsxs, and the screens call React's hooks.
// Both modules are CommonJS, so the bundle reached each function through the module object at
// every call site (`(0,k.jsx)(…)`, ~800 of them); an ES module re-exporting the functions as
// its own bindings lets the minifier call them directly (440 bytes less gzip). Builds only.
const DIRECT = '\0keyport-direct:';
const directCalls: Plugin = {
  name: 'keyport-direct-calls',
  apply: 'build',
  enforce: 'pre',
  // React's own modules and the libraries (which may import React whole) keep the real ones.
  resolveId: (id, importer) => {
    if (!importer?.includes('/src/renderer/')) return null;
    return id === 'react/jsx-runtime' || id === 'react' ? DIRECT + id : null;
  },
  load: async (id) => {
    if (!id.startsWith(DIRECT)) return null;
    const module = id.slice(DIRECT.length);
    // What the renderer imports; a name missing here fails the build (MISSING_EXPORT): add it.
    const names = module === 'react' ? 'StrictMode, memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState' : 'jsx, jsxs, Fragment';
    return `import * as m from '${module}';\nexport const { ${names} } = m;\n`;
  },
};

// One config, three entries (main, preload, renderer), as electron-vite lays them out.
export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve('src/main/index.ts') } },
      // Dependencies stay imports from node_modules, except zod: bundled, only the parts the core
      // uses are kept (live heap 2 MB smaller, start-up RSS ~5 MB smaller; `npm run bench --
      // memory`, row 6b). zod is plain ES modules with no files or native parts to resolve.
      externalizeDeps: { exclude: ['zod'] },
    },
  },
  preload: {
    // A sandboxed preload cannot `require` anything but a few Electron modules, so it is
    // bundled into one CommonJS file.
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [directCalls, react(), devCspRelaxation],
    // electron-vite leaves the renderer unminified by default; minified it loads and parses faster.
    build: { minify: true, rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
  },
});
