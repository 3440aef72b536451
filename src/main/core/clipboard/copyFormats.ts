import { echoInput } from '../../../shared/echoInput';
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

/** PowerShell: single quotes are literal ($ and ` are not expanded); a quote is escaped by doubling
 * it, and PowerShell reads the typographic ‘ ’ ‚ ‛ as quotes too (CodeGeneration.EscapeSingleQuotedStringContent). */
const powershellQuote = (value: string): string => `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;

/** .env as python-dotenv and docker compose read it: bare when safe, else single-quoted, else
 * (the value holds ' or \) double-quoted. python-dotenv expands `${…}` in every quoting, with no
 * escape, and compose expands `$` inside double quotes: such values are refused. */
function dotenvQuote(value: string): string {
  if (value.includes('${')) throw unsafe('.env file');
  if (SHELL_SAFE.test(value)) return value;
  if (!/['\\]/.test(value)) return `'${value}'`;
  if (value.includes('$')) throw unsafe('.env file');
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** cmd.exe has no escape inside `set "…"`: a `"` would end the quoting and run what follows,
 * and `%NAME%` is expanded even there. Such values are refused rather than mangled. */
function cmdLine(name: string, value: string): string {
  if (/["%]/.test(value)) throw unsafe('Command Prompt');
  return `set "${name}=${value}"`;
}

const unsafe = (format: string) =>
  new KeyportError('VALIDATION', `This value cannot be written safely for ${format}.`, {
    hint: 'Copy it as PowerShell, as a shell export, or the token only.',
    field: 'format',
  });

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
      return env.map(([k, v]) => cmdLine(k, v)).join('\r\n');
    case 'dotenv':
      return env.map(([k, v]) => `${k}=${dotenvQuote(v)}`).join('\n');
    default:
      throw new KeyportError('VALIDATION', `Unknown copy format “${echoInput(format)}”.`, { field: 'format' });
  }
}
