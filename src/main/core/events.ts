import type { EventName, EventPayloads } from '../../shared/contract';
import type { CoreEventListener } from './core';

/** Fan-out of core events to the transports (ipc, browser host). A failing listener cannot
 * break the others or the operation that emitted. */
export class EventHub {
  private readonly listeners = new Set<CoreEventListener>();

  on(listener: CoreEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A transport that cannot deliver (window closed) must not fail the caller.
      }
    }
  }
}
