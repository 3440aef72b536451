import type { CopyFormatDescriptor } from '../../../shared/model';
import { KeyportError } from '../errors';

type Env = ReadonlyArray<readonly [string, string]>;

/** Copy formats for kinds whose CLIs read environment variables. `raw` is the secret alone. */
export const ENVIRONMENT_COPY_FORMATS: CopyFormatDescriptor[] = [
  { id: 'raw', label: 'Token only' },
  { id: 'shell', label: 'Shell (export)' },
  { id: 'powershell', label: 'PowerShell' },
  { id: 'cmd', label: 'Command Prompt' },
  { id: 'dotenv', label: '.env file' },
];

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX shell word: bare when safe, else single-quoted ('\'' for a quote). */
export const shellQuote = (value: string): string => (SHELL_SAFE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

/** PowerShell: single quotes are literal ($ and ` are not expanded); '' escapes a quote. */
const powershellQuote = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** .env as python-dotenv and docker read it: bare when safe, else double-quoted. */
const dotenvQuote = (value: string): string => (SHELL_SAFE.test(value) ? value : `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);

/** Renders the text to put on the clipboard. Values with line breaks are refused: no format
 * here could carry them safely. */
export function renderCopyText(format: string, secret: string, env: Env): string {
  for (const [, value] of env) {
    if (/[\r\n\0]/.test(value)) throw new KeyportError('VALIDATION', 'This value contains a line break and cannot be copied as a command.');
  }
  switch (format) {
    case 'raw':
      return secret;
    case 'shell':
      return `export ${env.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}`;
    case 'powershell':
      return env.map(([k, v]) => `$Env:${k} = ${powershellQuote(v)}`).join('\n');
    case 'cmd':
      // `set "NAME=value"`: the quotes keep & | < > from being read as operators.
      return env.map(([k, v]) => `set "${k}=${v}"`).join('\r\n');
    case 'dotenv':
      return env.map(([k, v]) => `${k}=${dotenvQuote(v)}`).join('\n');
    default:
      throw new KeyportError('VALIDATION', `Unknown copy format “${format}”.`, { field: 'format' });
  }
}
