import type { StoredSecret } from './records';

/** The vault's saved secrets by id, which also knows each server's ids. Listing one server's
 * tokens looks up its saved copies on every call; with 10,000 copies for another server, a walk
 * over all of them cost more than the request itself (bench 5a). Every change goes through
 * `set`, `delete` or `clear`, so the index cannot drift from the map. Each server's ids keep
 * the map's order (first saved first). */
export class SecretsByServer extends Map<string, StoredSecret> {
  // Not a class field: Map's constructor calls `set` before fields would be initialized.
  #byServer: Map<string, Set<string>> | undefined;

  private index(): Map<string, Set<string>> {
    this.#byServer ??= new Map();
    return this.#byServer;
  }

  override set(id: string, stored: StoredSecret): this {
    const before = super.get(id)?.meta.serverId;
    const after = stored.meta.serverId;
    super.set(id, stored);
    if (before === undefined) {
      const ids = this.index().get(after) ?? new Set<string>();
      ids.add(id);
      this.index().set(after, ids);
    } else if (before !== after) {
      // Moved to another server (rare): it keeps its place in the map, so that server's ids are
      // listed again in the map's order.
      this.forget(before, id);
      this.index().set(after, new Set([...super.values()].filter((s) => s.meta.serverId === after).map((s) => s.meta.id)));
    }
    return this;
  }

  override delete(id: string): boolean {
    const serverId = super.get(id)?.meta.serverId;
    if (serverId !== undefined) this.forget(serverId, id);
    return super.delete(id);
  }

  override clear(): void {
    this.index().clear();
    super.clear();
  }

  /** The saved secrets of one server, in the order they were first saved. */
  *ofServer(serverId: string): IterableIterator<StoredSecret> {
    for (const id of this.index().get(serverId) ?? []) {
      const stored = super.get(id);
      if (stored) yield stored;
    }
  }

  private forget(serverId: string, id: string): void {
    const ids = this.index().get(serverId);
    ids?.delete(id);
    if (ids?.size === 0) this.index().delete(serverId);
  }
}
