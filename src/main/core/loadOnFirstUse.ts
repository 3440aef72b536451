import { KeyportError } from './errors';

/** A part of the core that only some features use (SSH delivery's ssh2, OpenID Connect's
 * openid-client), loaded with `import()` the first time it is needed instead of at start-up,
 * so a person who never uses the feature never pays the memory for it (ssh2 alone keeps
 * ~13 MB resident). `load` must be a literal `() => import('./module')`: the bundler (electron-vite's
 * main build) then puts the module and what only it imports in a chunk of its own.
 * scripts/lazyLibraries.test.ts checks that the built main bundle does not import them
 * statically.
 *
 * A module that cannot be loaded (a broken or partial installation) fails the feature's call
 * with a KeyportError saying what is missing and what to do; the next call tries again. */
export function loadOnFirstUse<T>(what: { library: string; feature: string }, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = null;
      throw notLoaded(what, error);
    });
    return loading;
  };
}

function notLoaded(what: { library: string; feature: string }, error: unknown): KeyportError {
  // The error's code only (ERR_MODULE_NOT_FOUND…): its message names paths on the machine.
  const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : null;
  return new KeyportError('INTERNAL', `Keyport could not load ${what.library}, which ${what.feature} needs${code ? ` (${code})` : ''}.`, {
    hint: 'Keyport’s installation is incomplete or damaged: install Keyport again.',
    cause: error,
  });
}
