import { KeyportApiError, type WireResult } from './errors';
import { isProcedureName } from './procedures';
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

const knownEvents: ReadonlySet<string> = new Set(EVENT_NAMES);

export interface KeyportApiOptions {
  /** A call without input that the window makes first and always (`app.bootstrap`). The
   * preload starts it at once, before the page's scripts have even loaded, and the page's first
   * call of it takes that answer: the round trip to main overlaps loading the bundle instead of
   * following it. Later calls go to main as usual. */
  readonly startEarly?: ProcedureName;
}

/** Used by the Electron preload and by the browser host, so both expose the same object. */
export function createKeyportApi(transport: KeyportTransport, options: KeyportApiOptions = {}): KeyportApi {
  let early = options.startEarly ? { procedure: options.startEarly, answer: transport.invoke(options.startEarly, undefined) } : null;
  return Object.freeze({
    procedures: PROCEDURE_NAMES,
    async invoke(procedure: ProcedureName, input?: unknown): Promise<WireResult<unknown>> {
      if (!isProcedureName(procedure)) {
        return { ok: false, error: { code: 'VALIDATION', message: `Unknown procedure “${String(procedure)}”.` } };
      }
      if (early && early.procedure === procedure && input === undefined) {
        const { answer } = early;
        early = null;
        return answer;
      }
      return transport.invoke(procedure, input);
    },
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      if (!knownEvents.has(event)) throw new Error(`Unknown event “${String(event)}”.`);
      return transport.on(event, listener);
    },
  });
}

/** A procedure's input as arguments: optional when the procedure takes none or all is optional. */
export type ProcedureArgs<P extends ProcedureName> = undefined extends ProcedureInput<P> ? [input?: ProcedureInput<P>] : [input: ProcedureInput<P>];

export interface KeyportClient {
  call<P extends ProcedureName>(procedure: P, ...input: ProcedureArgs<P>): Promise<ProcedureResults[P]>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** The typed, throwing client the renderer uses on top of `window.keyport`. */
export function createKeyportClient(api: KeyportApi): KeyportClient {
  return {
    async call<P extends ProcedureName>(procedure: P, ...input: ProcedureArgs<P>) {
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
