// Lets plain Node (with type stripping) run the bench, which imports src/ and e2e/ modules
// written for a bundler: their relative imports name no extension ('./vault' means
// './vault.ts'). Node's own resolver is asked first; only a relative specifier it cannot find
// is retried with `.ts`, then `/index.ts`. Loaded with `node --import ./bench/resolveTs.mjs`.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      if (!relative || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
        try {
          return nextResolve(candidate, context);
        } catch {
          // try the next form
        }
      }
      throw error;
    }
  },
});
