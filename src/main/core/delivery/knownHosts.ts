import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What ~/.ssh/known_hosts says about a host's key (OpenSSH sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT"): the key is listed, the host is listed with other keys only (changed), it is not
 * listed at all (unknown), or the key is marked `@revoked`. */
export type HostKeyVerdict = { state: 'known' } | { state: 'unknown' } | { state: 'changed'; knownTypes: string[] } | { state: 'revoked' };

/** The name known_hosts lists a host under: `host`, or `[host]:port` off port 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's SHA256 fingerprint of a public key blob (`ssh-keygen -l -E sha256`). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a public key blob starts with (an SSH string: length, then name). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return length > 0 && length < 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** `|1|salt|hash`: HMAC-SHA1 of the host name keyed with the salt (HashKnownHosts). */
function hashedMatches(entry: string, name: string): boolean {
  const [, magic, salt64, hash64] = entry.split('|');
  if (magic !== '1' || !salt64 || !hash64) return false;
  const expected = Buffer.from(hash64, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt64, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether a comma-separated host field names the host; a matching `!pattern` excludes it. */
function hostFieldMatches(field: string, name: string): boolean {
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('|')) {
      if (hashedMatches(pattern, name)) matched = true;
    } else if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (globToRegExp(pattern).test(name)) {
      matched = true;
    }
  }
  return matched;
}

interface KnownEntry {
  marker: string | null;
  type: string;
  blob: Buffer;
}

/** The entries of known_hosts text that name `host:port`. */
export function knownKeysFor(text: string, host: string, port: number): KnownEntry[] {
  const name = knownHostName(host, port);
  const entries: KnownEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? (fields.shift() ?? null) : null;
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key || marker === '@cert-authority') continue;
    if (!hostFieldMatches(hosts, name)) continue;
    entries.push({ marker, type, blob: Buffer.from(key, 'base64') });
  }
  return entries;
}

export function judgeHostKey(text: string, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const entries = knownKeysFor(text, host, port);
  if (entries.some((e) => e.marker === '@revoked' && e.blob.equals(blob))) return { state: 'revoked' };
  const plain = entries.filter((e) => e.marker === null);
  if (plain.some((e) => e.blob.equals(blob))) return { state: 'known' };
  if (plain.length > 0) return { state: 'changed', knownTypes: [...new Set(plain.map((e) => e.type))] };
  return { state: 'unknown' };
}

/** A hashed known_hosts line for the host (as `ssh` writes with HashKnownHosts yes, Debian's
 * default), so the file does not list the machines the person delivers to in clear. */
export function hashedKnownHostLine(host: string, port: number, blob: Buffer): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(knownHostName(host, port)).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')} ${keyTypeOf(blob)} ${blob.toString('base64')}`;
}
