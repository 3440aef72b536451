// Fault injection shared by the reference servers: delays, error statuses, malformed JSON,
// HTML error pages, connection resets and answers of the wrong shape. Runs under plain
// `node --experimental-strip-types`: erasable TypeScript only, nothing imported from src/.
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { JSON_TYPE, readBody, send, sendJson } from './httpReply.ts';

/** What a fault does to a matching request. */
export type FaultAction =
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'malformed-json' }
  | { kind: 'html'; status?: number }
  | { kind: 'reset' }
  | { kind: 'wrong-shape' };

export type Fault = FaultAction & {
  /** Tested against the request path (no query); every path when absent. */
  match?: RegExp;
  /** How many requests the fault applies to; unlimited when absent. */
  times?: number;
};

export interface Faults {
  add(fault: Fault): void;
  clear(): void;
}

export interface FaultInjector {
  /** The public add/clear handle the servers expose. */
  readonly faults: Faults;
  /** Applies matching faults in the order added; resolves true when one answered the request. */
  apply(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /** Ends pending delays (their requests are destroyed); called when the server closes. */
  close(): void;
}

export interface FaultStyle {
  /** JSON body of a 'status' fault without its own body, in the server's error shape. */
  errorBody(status: number, message: string): unknown;
  /** The truncated JSON a 'malformed-json' fault sends. */
  malformedJson: string;
}

export function createFaultInjector(style: FaultStyle): FaultInjector {
  const faultList: { fault: Fault; remaining: number }[] = [];
  const pendingDelays = new Set<() => void>();
  let closed = false;

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });

  const drain = (req: IncomingMessage): Promise<unknown> => readBody(req).catch(() => undefined);

  const apply = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    for (const entry of [...faultList]) {
      const { fault } = entry;
      if (entry.remaining <= 0) continue;
      if (fault.match !== undefined) {
        fault.match.lastIndex = 0; // a /g or /y RegExp would otherwise remember the last match
        if (!fault.match.test(path)) continue;
      }
      entry.remaining -= 1;
      switch (fault.kind) {
        case 'delay':
          await wait(fault.ms);
          if (closed) {
            res.destroy();
            return true;
          }
          continue; // a delay slows the request down; later faults or the real answer follow
        case 'status':
          await drain(req);
          if (fault.body === undefined) sendJson(res, fault.status, style.errorBody(fault.status, STATUS_CODES[fault.status] ?? 'Error'));
          else send(res, fault.status, fault.body, { 'Content-Type': fault.contentType ?? JSON_TYPE });
          return true;
        case 'malformed-json':
          await drain(req);
          send(res, 200, style.malformedJson, { 'Content-Type': JSON_TYPE });
          return true;
        case 'html': {
          await drain(req);
          const status = fault.status ?? 502;
          const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
          send(res, status, `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><hr><center>nginx</center></body></html>\n`, {
            'Content-Type': 'text/html; charset=utf-8',
          });
          return true;
        }
        case 'reset': {
          const socket: Socket = req.socket;
          // A TCP RST is what a crashing proxy produces; TLS sockets cannot reset, so they just close.
          try {
            socket.resetAndDestroy();
          } catch {
            socket.destroy();
          }
          return true;
        }
        case 'wrong-shape':
          // Valid JSON that matches no answer of the protocol.
          await drain(req);
          sendJson(res, 200, { result: 'ok', data: [] });
          return true;
      }
    }
    return false;
  };

  return {
    faults: {
      add(fault: Fault): void {
        faultList.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
      },
      clear(): void {
        faultList.length = 0;
      },
    },
    apply,
    close(): void {
      closed = true;
      for (const release of [...pendingDelays]) release();
    },
  };
}
