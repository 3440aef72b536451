import type { KeyValueStore } from '../ports';

/** What conf and electron-store (which extends conf) both offer. */
export interface ConfLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  set(values: Record<string, unknown>): void;
  delete(key: string): void;
}

/** The vault's store on conf (tests, browser host) or electron-store (the app): one JSON file,
 * written atomically; `set(object)` writes several keys in that one write. */
export function confStore(conf: ConfLike): KeyValueStore {
  return {
    get: (key) => conf.get(key),
    set: (key, value) => conf.set(key, value),
    delete: (key) => conf.delete(key),
    setMany: (values) => conf.set(values),
  };
}
