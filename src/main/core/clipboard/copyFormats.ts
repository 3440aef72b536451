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

/** What each command-line format is called in an error. */
const FORMAT_NAMES: ReadonlyMap<string, string> = new Map([
  ['shell', 'a shell export'],
  ['powershell', 'PowerShell'],
  ['cmd', 'Command Prompt'],
  ['dotenv', 'a .env file'],
]);

/** Characters a terminal or its line editor acts on when they are pasted, or that make the text
 * read differently from what runs: every C0 and C1 control and DEL (`\p{Cc}`: ESC ends a
 * bracketed paste, C-a C-k C-o edit and run the line, TAB completes, NEL is M-C-e, "expand the
 * line", to readline in an 8-bit locale), the Unicode line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates (CVE-2021-42574). */
const PASTE_UNSAFE = /[\p{Cc}\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** Refuses `value` for a format that is pasted into a shell or read by a line-based parser.
 * Quoting cannot help: a line editor acts on a control character before any quote is read, so
 * a hostile server's token could run a command without Enter. The error names the format and
 * the character (a code point, never the value). */
export function refuseUnsafeForPaste(value: string, formatName: string): void {
  const found = PASTE_UNSAFE.exec(value);
  if (!found) return;
  const codePoint = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  throw new KeyportError('VALIDATION', `This value holds a control or text-direction character (${codePoint}), so Keyport will not copy it as ${formatName}: pasted into a terminal, it could run a command.`, {
    hint: 'Copy the token only, which is copied exactly as the server sent it.',
    field: 'format',
  });
}

/** `Authorization: Bearer <token>`, for curl -H and HTTP files; HTTP allows no controls there. */
export function authorizationHeader(token: string): string {
  refuseUnsafeForPaste(token, 'an Authorization header');
  return `Authorization: Bearer ${token}`;
}

/** Renders the text to put on the clipboard. "Token only" is the secret exactly as it is; every
 * other format refuses values with control or text-direction characters (refuseUnsafeForPaste). */
export function renderCopyText(format: string, secret: string, env: Env): string {
  if (format === 'raw') return secret;
  const name = FORMAT_NAMES.get(format);
  if (name) for (const [, value] of env) refuseUnsafeForPaste(value, name);
  switch (format) {
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
