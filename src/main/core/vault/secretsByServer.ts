import type { SecretPurpose, StoredSecret } from './records';

type Bucket = Map<string, StoredSecret>;
const NONE: ReadonlyMap<string, StoredSecret> = new Map();

/** The vault's saved secrets by id, which also holds each server's secrets, and each server's
 * secrets of one purpose. Listing one server's tokens looks up its saved copies on every call,
 * and each request looks up the server's session: with 10,000 saved copies, a walk over all of
 * them (or over all of one server's, to find its one session) cost more than the request itself
 * (bench 5a, 5c). Every change goes through `set`, `delete` or `clear`, so the index cannot drift
 * from the map. Each bucket keeps the map's order (first saved first). */
export class SecretsByServer extends Map<string, StoredSecret> {
  // Not class fields: Map's constructor calls `set` before fields would be initialized.
  #byServer: Map<string, Bucket> | undefined;
  #byPurpose: Map<string, Map<SecretPurpose, Bucket>> | undefined;

  override set(id: string, stored: StoredSecret): this {
    const before = super.get(id)?.meta;
    const after = stored.meta;
    super.set(id, stored);
    if (before === undefined || (before.serverId === after.serverId && before.purpose === after.purpose)) {
      // New, or replaced in place: a Map keeps an updated entry where it was.
      this.add(id, stored);
    } else {
      // Moved to another server or purpose (rare): it keeps its place in the map, so the
      // buckets it joins are rebuilt in the map's order.
      this.remove(id, before.serverId, before.purpose);
      this.rebuild(after.serverId);
    }
    return this;
  }

  override delete(id: string): boolean {
    const meta = super.get(id)?.meta;
    if (meta !== undefined) this.remove(id, meta.serverId, meta.purpose);
    return super.delete(id);
  }

  override clear(): void {
    this.#byServer?.clear();
    this.#byPurpose?.clear();
    super.clear();
  }

  /** The saved secrets of one server (of one purpose, if given), in the order they were first
   * saved: the index's own entries, no lookup per secret. */
  ofServer(serverId: string, purpose?: SecretPurpose): IterableIterator<StoredSecret> {
    const bucket = purpose === undefined ? this.#byServer?.get(serverId) : this.#byPurpose?.get(serverId)?.get(purpose);
    return (bucket ?? NONE).values();
  }

  private add(id: string, stored: StoredSecret): void {
    const { serverId, purpose } = stored.meta;
    this.#byServer ??= new Map();
    this.#byPurpose ??= new Map();
    let ofServer = this.#byServer.get(serverId);
    if (ofServer === undefined) this.#byServer.set(serverId, (ofServer = new Map()));
    ofServer.set(id, stored);
    let purposes = this.#byPurpose.get(serverId);
    if (purposes === undefined) this.#byPurpose.set(serverId, (purposes = new Map()));
    let ofPurpose = purposes.get(purpose);
    if (ofPurpose === undefined) purposes.set(purpose, (ofPurpose = new Map()));
    ofPurpose.set(id, stored);
  }

  private remove(id: string, serverId: string, purpose: SecretPurpose): void {
    const ofServer = this.#byServer?.get(serverId);
    ofServer?.delete(id);
    if (ofServer?.size === 0) this.#byServer?.delete(serverId);
    const purposes = this.#byPurpose?.get(serverId);
    const ofPurpose = purposes?.get(purpose);
    ofPurpose?.delete(id);
    if (ofPurpose?.size === 0) purposes?.delete(purpose);
    if (purposes?.size === 0) this.#byPurpose?.delete(serverId);
  }

  /** One server's buckets again from a walk over the map, in its order. */
  private rebuild(serverId: string): void {
    this.#byServer?.delete(serverId);
    this.#byPurpose?.delete(serverId);
    for (const [id, stored] of super.entries()) if (stored.meta.serverId === serverId) this.add(id, stored);
  }
}
