import { readFile, stat } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { KeyportError } from '../errors';
import type { HttpTarget } from '../http/types';
import type { ServerRecord } from '../vault/records';

const MAX_CERT_BYTES = 1024 * 1024;

/** Reads and checks a CA certificate file: it must exist, be small, and hold at least one PEM
 * certificate that parses. */
export async function readCaCertificate(path: string): Promise<string> {
  const fail = (message: string, cause?: unknown) =>
    new KeyportError('FILE_ERROR', message, {
      hint: 'Choose the PEM file (.pem, .crt) of the certificate authority that signed the server’s certificate.',
      field: 'caCertificatePath',
      cause,
    });
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw fail('The CA certificate path is not a file.');
    if (info.size > MAX_CERT_BYTES) throw fail('The CA certificate file is larger than 1 MB; it is not a certificate.');
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof KeyportError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw fail('The CA certificate file does not exist.', error);
    throw fail('The CA certificate file could not be read.', error);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw fail('The CA certificate file holds no PEM certificate.');
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch (error) {
    throw fail('The CA certificate file holds a certificate that cannot be read.', error);
  }
  return blocks.join('\n');
}

/** The HTTP target of a server, reading its CA file (cached by path and modification time). */
export function createTargetResolver(): (server: ServerRecord) => Promise<HttpTarget> {
  const cache = new Map<string, { mtimeMs: number; pem: string }>();
  return async (server) => {
    let caCertificatePem: string | null = null;
    if (server.caCertificatePath) {
      const path = server.caCertificatePath;
      const mtimeMs = await stat(path).then((s) => s.mtimeMs, () => -1);
      const cached = cache.get(path);
      if (cached && cached.mtimeMs === mtimeMs) caCertificatePem = cached.pem;
      else {
        caCertificatePem = await readCaCertificate(path);
        cache.set(path, { mtimeMs, pem: caCertificatePem });
      }
    }
    return { serverName: server.name, tls: { allowInsecureTls: server.allowInsecureTls, caCertificatePem } };
  };
}
