import type { SecretPurpose, StoredSecret } from './records';

/** The vault's saved secrets by id, which also knows each server's ids, and each server's ids
 * of one purpose. Listing one server's tokens looks up its saved copies on every call, and each
 * request looks up the server's session: with 10,000 saved copies, a walk over all of them (or
 * over all of one server's, to find its one session) cost more than the request itself (bench
 * 5a, 5c). Every change goes through `set`, `delete` or `clear`, so the index cannot drift from
 * the map. Each list of ids keeps the map's order (first saved first). */
export class SecretsByServer extends Map<string, StoredSecret> {
  // Not class fields: Map's constructor calls `set` before fields would be initialized.
  #byServer: Map<string, Set<string>> | undefined;
  #byPurpose: Map<string, Map<SecretPurpose, Set<string>>> | undefined;

  override set(id: string, stored: StoredSecret): this {
    const before = super.get(id)?.meta;
    const after = stored.meta;
    super.set(id, stored);
    if (before === undefined) {
      this.add(id, after.serverId, after.purpose);
    } else if (before.serverId !== after.serverId || before.purpose !== after.purpose) {
      // Moved to another server or purpose (rare): it keeps its place in the map, so the lists
      // it joins are rebuilt in the map's order.
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
   * saved. */
  ofServer(serverId: string, purpose?: SecretPurpose): StoredSecret[] {
    const ids = purpose === undefined ? this.#byServer?.get(serverId) : this.#byPurpose?.get(serverId)?.get(purpose);
    const result: StoredSecret[] = [];
    if (ids === undefined) return result;
    for (const id of ids) {
      const stored = super.get(id);
      if (stored !== undefined) result.push(stored);
    }
    return result;
  }

  private add(id: string, serverId: string, purpose: SecretPurpose): void {
    this.#byServer ??= new Map();
    this.#byPurpose ??= new Map();
    let ofServer = this.#byServer.get(serverId);
    if (ofServer === undefined) this.#byServer.set(serverId, (ofServer = new Set()));
    ofServer.add(id);
    let purposes = this.#byPurpose.get(serverId);
    if (purposes === undefined) this.#byPurpose.set(serverId, (purposes = new Map()));
    let ofPurpose = purposes.get(purpose);
    if (ofPurpose === undefined) purposes.set(purpose, (ofPurpose = new Set()));
    ofPurpose.add(id);
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

  /** One server's lists again from a walk over the map, in its order. */
  private rebuild(serverId: string): void {
    this.#byServer?.delete(serverId);
    this.#byPurpose?.delete(serverId);
    for (const [id, { meta }] of super.entries()) if (meta.serverId === serverId) this.add(id, serverId, meta.purpose);
  }
}
