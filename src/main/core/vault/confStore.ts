import type { KeyValueStore } from '../ports';

/** What conf and electron-store (which extends conf) both offer. */
export interface ConfLike {
  store: Record<string, unknown>;
}

/** The vault's store on conf (tests, browser host) or electron-store (the app): one JSON file,
 * written atomically by conf.
 *
 * conf reads and parses the whole file on every `get` and again before every `set` (so that
 * another process's writes are not lost). Keyport is the file's only writer (single-instance
 * lock), so this keeps the parsed object in memory: one parse at start, and each change is
 * one atomic write of the whole object. With 10,000 secrets that is the difference between
 * ~150 ms and ~40 ms to open, and ~95 ms and ~25 ms to save (npm run bench). */
export function confStore(conf: ConfLike): KeyValueStore {
  let data: Record<string, unknown> = { ...conf.store };
  const write = (next: Record<string, unknown>) => {
    conf.store = next;
    data = next;
  };
  return {
    get: (key) => data[key],
    set: (key, value) => write({ ...data, [key]: value }),
    delete: (key) => {
      const { [key]: _removed, ...rest } = data;
      write(rest);
    },
    setMany: (values) => write({ ...data, ...values }),
  };
}

/** conf / electron-store options the vault relies on: keys are opaque names, not dot paths; a
 * malformed file is an error, never a reason to overwrite the person's data; and compact JSON,
 * since conf's default pretty printing triples the time to write a large vault. */
export const VAULT_STORE_OPTIONS = {
  accessPropertiesByDotNotation: false,
  clearInvalidConfig: false,
  serialize: (value: unknown) => JSON.stringify(value),
} as const;
