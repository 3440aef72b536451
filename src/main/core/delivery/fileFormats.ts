import { KeyportError } from '../errors';

/** How a delivered token is written into the file on the other machine. */
export type DeliveryFormat = 'npmrc' | 'env' | 'plain' | 'session-file';
export const DELIVERY_FORMATS: readonly DeliveryFormat[] = ['npmrc', 'env', 'plain', 'session-file'];

/** The kind's own session file (Tapis: ~/.agave/current and config.json; Anaconda:
 * ~/.anaconda/keyring), rendered by the kind's provider.sessionFile for what is delivered, so
 * the remote file is exactly what the local export writes. */
export interface SessionFileMaterial {
  render(existing: string | null): string;
  /** The file without this server's entry; absent for formats that hold one session (the
   * file is then deleted). Null: the file has no entry for this server. */
  remove?: ((existing: string) => string | null) | undefined;
  /** Files beside it that the client keeps in step (Tapis: config.json); null = leave alone. */
  companions: ReadonlyArray<{ name: string; render(existing: string | null): string | null }>;
}

export interface DeliveryMaterial {
  secret: string;
  variables: ReadonlyArray<readonly [string, string]>;
  nerfDart: string | null;
  /** Null for kinds without a session file, or whose saved tokens are not what it holds. */
  sessionFile: SessionFileMaterial | null;
}

/** The line ending a file already uses, so a merge does not rewrite every line. */
function lineEnding(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Splits into lines, keeping each line's own ending, so joining gives back the same bytes. */
function splitKeepingEndings(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function withNewline(text: string, eol: string): string {
  return text === '' || text.endsWith('\n') ? text : text + eol;
}

/** `.npmrc`: replaces only the `//host/path/:_authToken=` line of this registry (npm's "nerf
 * dart" key), or appends one; every other line (other registries, comments, blank lines) is
 * kept byte for byte. */
export function mergeNpmrc(existing: string | null, nerfDart: string, token: string): string {
  const key = `${nerfDart}:_authToken`;
  const text = existing ?? '';
  const eol = lineEnding(text);
  const lines = splitKeepingEndings(text);
  let replaced = false;
  const out: string[] = [];
  for (const line of lines) {
    const body = line.replace(/\r?\n$/, '');
    // ini keys may have spaces around "=" (npm's ini parser trims them).
    const name = body.split('=')[0]?.trim();
    if (name === key && body.includes('=')) {
      if (replaced) continue; // a duplicate would shadow nothing, but is dropped so one line holds the token
      out.push(`${key}=${token}${line.slice(body.length) || eol}`);
      replaced = true;
    } else {
      out.push(line);
    }
  }
  if (!replaced) return withNewline(out.join(''), eol) + `${key}=${token}${eol}`;
  return out.join('');
}

/** A value as a POSIX shell and dotenv readers both take it: bare when it has only safe
 * characters, else single-quoted. */
export function envValue(value: string): string {
  if (/^[A-Za-z0-9_./:@+%,=-]*$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An env file (`KEY=value`, optionally `export KEY=value`): replaces the lines of these
 * variables, appends the missing ones, keeps every other line byte for byte. */
export function mergeEnvFile(existing: string | null, variables: ReadonlyArray<readonly [string, string]>): string {
  const text = existing ?? '';
  const eol = lineEnding(text);
  const wanted = new Map(variables.map(([k, v]) => [k, v]));
  const written = new Set<string>();
  const out: string[] = [];
  for (const line of splitKeepingEndings(text)) {
    const match = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    const name = match?.[2];
    if (match && name !== undefined && wanted.has(name)) {
      if (written.has(name)) continue;
      const body = line.replace(/\r?\n$/, '');
      out.push(`${match[1] ?? ''}${name}=${envValue(wanted.get(name) ?? '')}${line.slice(body.length) || eol}`);
      written.add(name);
    } else {
      out.push(line);
    }
  }
  let result = out.join('');
  for (const [name, value] of wanted) {
    if (written.has(name)) continue;
    result = withNewline(result, eol) + `${name}=${envValue(value)}${eol}`;
  }
  return result;
}

/** The file without the token (revoking a token withdraws it from its targets): the registry's
 * `.npmrc` line or the env file's variables removed, other lines kept; null for a plain file,
 * which is deleted. */
export function withdrawDelivery(format: DeliveryFormat, existing: string, material: Pick<DeliveryMaterial, 'variables' | 'nerfDart' | 'sessionFile'>): string | null {
  if (format === 'plain') return null;
  if (format === 'session-file') {
    const remove = material.sessionFile?.remove;
    // One-session files go; a shared file (the Anaconda keyring) loses only this site's entry.
    return remove ? (remove(existing) ?? existing) : null;
  }
  const drop =
    format === 'npmrc'
      ? (body: string) => body.includes('=') && body.split('=')[0]?.trim() === `${material.nerfDart ?? ''}:_authToken`
      : (body: string) => {
          const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(body)?.[1];
          return name !== undefined && material.variables.some(([k]) => k === name);
        };
  return splitKeepingEndings(existing)
    .filter((line) => !drop(line.replace(/\r?\n$/, '')))
    .join('');
}

/** The file's new content for a format. */
export function renderDelivery(format: DeliveryFormat, existing: string | null, material: DeliveryMaterial): string {
  switch (format) {
    case 'npmrc':
      if (!material.nerfDart) throw new KeyportError('VALIDATION', 'Only npm registry tokens can be written into an .npmrc.', { field: 'format', hint: 'Choose an env file or a plain file.' });
      return mergeNpmrc(existing, material.nerfDart, material.secret);
    case 'env':
      return mergeEnvFile(existing, material.variables);
    case 'plain':
      return `${material.secret}\n`;
    case 'session-file':
      if (!material.sessionFile) throw new KeyportError('VALIDATION', 'This token cannot be written as a session file of its kind.', { field: 'format', hint: 'Choose an env file or a plain file.' });
      return material.sessionFile.render(existing);
  }
}
