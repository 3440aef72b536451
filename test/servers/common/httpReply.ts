// Reading a request's body and writing an answer: what the fault injector and every reference
// server share. Apart from httpServer.ts so faults.ts can use it without an import cycle.
// Erasable TypeScript only (npm run servers runs it with plain Node), nothing from src/.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

// Exactly this, without parameters: hatcher prints error['error'] only when Content-Type is
// exactly 'application/json' (hatcher/cli/utils.py).
export const JSON_TYPE = 'application/json';
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the whole body; rejects with `tooLarge()` past MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage, tooLarge: () => Error = () => new Error('Request body too large')): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, JSON.stringify(value), { 'Content-Type': JSON_TYPE, ...headers });
}
