import type { StoredSecret } from './records';

/** The vault's saved secrets by id, which also knows each server's ids. Listing one server's
 * tokens looks up its saved copies on every call; with 10,000 copies for another server, a walk
 * over all of them cost more than the request itself (bench 5a). The index is built at the
 * first `ofServer` (not at open: indexing 10,000 secrets was ~2 ms of every start, bench 4a),
 * from the map in its order; from then on every change goes through `set`, `delete` or
 * `clear`, which keep it, so it cannot drift from the map. Each server's ids keep the map's
 * order (first saved first). */
export class SecretsByServer extends Map<string, StoredSecret> {
  // Not a class field with an initializer: Map's constructor calls `set` before it would run.
  // Undefined until the first `ofServer`, and again after `clear`.
  #byServer: Map<string, Set<string>> | undefined;

  override set(id: string, stored: StoredSecret): this {
    const byServer = this.#byServer;
    if (byServer === undefined) {
      super.set(id, stored);
      return this;
    }
    const before = super.get(id)?.meta.serverId;
    const after = stored.meta.serverId;
    super.set(id, stored);
    if (before === undefined) {
      const ids = byServer.get(after);
      if (ids) ids.add(id);
      else byServer.set(after, new Set([id]));
    } else if (before !== after) {
      // Moved to another server (rare): it keeps its place in the map, so that server's ids are
      // listed again in the map's order.
      this.forget(byServer, before, id);
      byServer.set(after, new Set([...super.values()].filter((s) => s.meta.serverId === after).map((s) => s.meta.id)));
    }
    return this;
  }

  override delete(id: string): boolean {
    const serverId = super.get(id)?.meta.serverId;
    if (serverId !== undefined && this.#byServer !== undefined) this.forget(this.#byServer, serverId, id);
    return super.delete(id);
  }

  override clear(): void {
    this.#byServer = undefined;
    super.clear();
  }

  /** The saved secrets of one server, in the order they were first saved. */
  *ofServer(serverId: string): IterableIterator<StoredSecret> {
    for (const id of this.index().get(serverId) ?? []) {
      const stored = super.get(id);
      if (stored) yield stored;
    }
  }

  private index(): Map<string, Set<string>> {
    if (this.#byServer === undefined) {
      const byServer = new Map<string, Set<string>>();
      for (const [id, stored] of super.entries()) {
        const ids = byServer.get(stored.meta.serverId);
        if (ids) ids.add(id);
        else byServer.set(stored.meta.serverId, new Set([id]));
      }
      this.#byServer = byServer;
    }
    return this.#byServer;
  }

  private forget(byServer: Map<string, Set<string>>, serverId: string, id: string): void {
    const ids = byServer.get(serverId);
    ids?.delete(id);
    if (ids?.size === 0) byServer.delete(serverId);
  }
}
