import { KeyportApiError, type WireResult } from './errors';
import { valueFromWire } from './tokenListWire';
import {
  PROCEDURE_NAMES,
  EVENT_NAMES,
  type EventName,
  type EventPayloads,
  type ProcedureInput,
  type ProcedureName,
  type ProcedureResults,
} from './contract';

/** The one thing that differs between Electron (ipcRenderer) and the browser host (Playwright
 * bindings). */
export interface KeyportTransport {
  invoke(procedure: ProcedureName, input: unknown): Promise<WireResult<unknown>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** `window.keyport`. It returns plain results instead of throwing because contextBridge keeps
 * only the message of an Error that crosses it; `createKeyportClient` turns them back into
 * typed errors on the renderer side. */
export interface KeyportApi {
  readonly procedures: readonly ProcedureName[];
  invoke(procedure: ProcedureName, input?: unknown): Promise<WireResult<unknown>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

const knownProcedures: ReadonlySet<string> = new Set(PROCEDURE_NAMES);
const knownEvents: ReadonlySet<string> = new Set(EVENT_NAMES);

/** Used by the Electron preload and by the browser host, so both expose the same object. */
export function createKeyportApi(transport: KeyportTransport): KeyportApi {
  return Object.freeze({
    procedures: PROCEDURE_NAMES,
    async invoke(procedure: ProcedureName, input?: unknown): Promise<WireResult<unknown>> {
      if (!knownProcedures.has(procedure)) {
        return { ok: false, error: { code: 'VALIDATION', message: `Unknown procedure “${String(procedure)}”.` } };
      }
      return transport.invoke(procedure, input);
    },
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      if (!knownEvents.has(event)) throw new Error(`Unknown event “${String(event)}”.`);
      return transport.on(event, listener);
    },
  });
}

type Args<P extends ProcedureName> = undefined extends ProcedureInput<P> ? [input?: ProcedureInput<P>] : [input: ProcedureInput<P>];

export interface KeyportClient {
  call<P extends ProcedureName>(procedure: P, ...input: Args<P>): Promise<ProcedureResults[P]>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** The typed, throwing client the renderer uses on top of `window.keyport`. */
export function createKeyportClient(api: KeyportApi): KeyportClient {
  return {
    async call<P extends ProcedureName>(procedure: P, ...input: Args<P>) {
      const result = await api.invoke(procedure, input[0]);
      if (!result.ok) throw new KeyportApiError(result.error);
      // tokens.list crosses in a compact form (src/shared/tokenListWire.ts).
      return valueFromWire(procedure, result.value) as ProcedureResults[P];
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      return api.on(event, (payload) => listener(payload as EventPayloads[E]));
    },
  };
}
