import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KeyportError } from '../errors';
import { authorizationHeader, ENVIRONMENT_COPY_FORMATS, renderCopyText, shellQuote } from './copyFormats';
import { HOSTILE_PASTE_VALUES } from '../../../../test/support/hostilePasteValues';

const URL = 'https://eds.example.com';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.fake-signature_x';
const EDS_ENV = [
  ['HATCHER_URL', URL],
  ['HATCHER_TOKEN', TOKEN],
] as const;

/** Values that break naive quoting. None holds a control character (those are refused). */
const NASTY = [
  'a\'b"c $HOME `x`',
  "'",
  "''",
  '"',
  '\\',
  'a\\\'b',
  '$(echo pwned)',
  '${HOME}',
  'a;b|c&d>e<f',
  '!bang !! !$',
  ' leading and trailing ',
  '*',
  '~',
  '~root',
  '-n',
  '#not a comment',
  'key=value',
  '\u00e9\u20ac \u{1F511}',
  '',
];

function keyportError(fn: () => unknown): KeyportError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyportError) return error;
    throw error;
  }
  throw new Error('expected a KeyportError');
}

/** Runs `text` in bash with an empty environment (HOME set to a marker, so an expansion shows),
 * and prints the variables back, NUL-separated. */
function bashRoundTrip(text: string, names: readonly string[]): string[] {
  const script = `eval "$1"; ${names.map((n) => `printf '%s\\0' "$${n}"`).join('; ')}`;
  const out = execFileSync('env', ['-i', 'HOME=/expanded-home', 'PATH=/usr/bin:/bin', 'bash', '--norc', '--noprofile', '-c', script, 'bash', text], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.split('\0').slice(0, names.length);
}


describe('renderCopyText for the EDS environment', () => {
  it('offers exactly these formats', () => {
    expect(ENVIRONMENT_COPY_FORMATS).toEqual([
      { id: 'raw', label: 'Token only' },
      { id: 'shell', label: 'Shell (export)' },
      { id: 'powershell', label: 'PowerShell' },
      { id: 'cmd', label: 'Command Prompt' },
      { id: 'dotenv', label: '.env file' },
    ]);
  });

  it('raw is the token alone', () => {
    expect(renderCopyText('raw', TOKEN, EDS_ENV)).toBe(TOKEN);
  });

  it('shell is one export line', () => {
    expect(renderCopyText('shell', TOKEN, EDS_ENV)).toBe(`export HATCHER_URL=${URL} HATCHER_TOKEN=${TOKEN}`);
  });

  it('powershell sets $Env: variables in single quotes, one per line', () => {
    expect(renderCopyText('powershell', TOKEN, EDS_ENV)).toBe(`$Env:HATCHER_URL = '${URL}'\n$Env:HATCHER_TOKEN = '${TOKEN}'`);
  });

  it('cmd uses set "K=V" lines joined by CRLF', () => {
    expect(renderCopyText('cmd', TOKEN, EDS_ENV)).toBe(`set "HATCHER_URL=${URL}"\r\nset "HATCHER_TOKEN=${TOKEN}"`);
  });

  it('dotenv is one K=V line per variable', () => {
    expect(renderCopyText('dotenv', TOKEN, EDS_ENV)).toBe(`HATCHER_URL=${URL}\nHATCHER_TOKEN=${TOKEN}`);
  });

  it('renders every variable it is given, in order', () => {
    const env = [...EDS_ENV, ['HATCHER_INSECURE', '1']] as const;
    expect(renderCopyText('shell', TOKEN, env)).toBe(`export HATCHER_URL=${URL} HATCHER_TOKEN=${TOKEN} HATCHER_INSECURE=1`);
    expect(renderCopyText('dotenv', TOKEN, env).split('\n')).toEqual([`HATCHER_URL=${URL}`, `HATCHER_TOKEN=${TOKEN}`, 'HATCHER_INSECURE=1']);
    expect(renderCopyText('cmd', TOKEN, env).split('\r\n')).toHaveLength(3);
    expect(renderCopyText('powershell', TOKEN, env).split('\n')[2]).toBe("$Env:HATCHER_INSECURE = '1'");
  });
});

describe('quoting', () => {
  it('leaves safe words bare and single-quotes the rest for the shell', () => {
    expect(shellQuote('abc-DEF_1.2/x:y@z%+=,')).toBe('abc-DEF_1.2/x:y@z%+=,');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
    expect(shellQuote('')).toBe("''");
  });

  it('shell: quotes values with spaces, quotes and $', () => {
    const env = [['HATCHER_TOKEN', 'a\'b"c $HOME']] as const;
    expect(renderCopyText('shell', 'x', env)).toBe(`export HATCHER_TOKEN='a'\\''b"c $HOME'`);
  });

  it('dotenv: single-quotes values with spaces or double quotes; double-quotes those with \\ or \'', () => {
    expect(renderCopyText('dotenv', 'x', [['K', 'a b']])).toBe("K='a b'");
    expect(renderCopyText('dotenv', 'x', [['K', 'a"b']])).toBe(`K='a"b'`);
    expect(renderCopyText('dotenv', 'x', [['K', 'a\\b']])).toBe('K="a\\\\b"');
    expect(renderCopyText('dotenv', 'x', [['K', "it's"]])).toBe('K="it\'s"');
    expect(renderCopyText('dotenv', 'x', [['K', '']])).toBe("K=''");
  });

  it("powershell: single quotes, '' for a quote, $ and ` left literal", () => {
    expect(renderCopyText('powershell', 'x', [['K', "it's $x `n"]])).toBe("$Env:K = 'it''s $x `n'");
    expect(renderCopyText('powershell', 'x', [['K', '']])).toBe("$Env:K = ''");
  });

  it('powershell: doubles the typographic quotes PowerShell also ends a string on', () => {
    // PowerShell reads ‘ ’ ‚ ‛ as single quotes: left alone, a value could close the string and
    // run what follows when pasted.
    const value = 'x\u2019; Start-Process calc; \u2018\u201A\u201B';
    expect(renderCopyText('powershell', 'x', [['K', value]])).toBe("$Env:K = 'x\u2019\u2019; Start-Process calc; \u2018\u2018\u201A\u201A\u201B\u201B'");
  });

  it('cmd: the value sits inside the quotes as it is', () => {
    expect(renderCopyText('cmd', 'x', [['K', 'a & b | c']])).toBe('set "K=a & b | c"');
  });

  it('cmd: refuses a value with a double quote, which would end the quoting and run the rest', () => {
    // `set "K=a"&calc&"b"` runs calc in cmd.exe: no escape exists inside `set "…"`.
    const error = keyportError(() => renderCopyText('cmd', 'x', [['K', 'a"&calc&"b']]));
    expect(error.code).toBe('VALIDATION');
  });

  it.each(NASTY.map((v) => [JSON.stringify(v), v]))('bash reads the shell text back exactly for %s', (_label, value) => {
    const text = renderCopyText('shell', value, [
      ['HATCHER_URL', URL],
      ['HATCHER_TOKEN', value],
    ]);
    expect(bashRoundTrip(text, ['HATCHER_URL', 'HATCHER_TOKEN'])).toEqual([URL, value]);
  });

  it('bash reads back all the nasty values exported at once', () => {
    const env = NASTY.map((v, i) => [`V${i}`, v] as const);
    const text = renderCopyText('shell', 'x', env);
    expect(bashRoundTrip(text, env.map(([k]) => k))).toEqual(NASTY);
  });
});

// The round trip through the real python-dotenv is in conformance/keyportWithHatcher.test.ts,
// where the pinned venv guarantees python-dotenv; here, the exact text.
describe('dotenv quoting', () => {
  it('leaves safe values bare and single-quotes the rest', () => {
    expect(renderCopyText('dotenv', 'x', [['K', 'eyJ.abc-_']])).toBe('K=eyJ.abc-_');
    expect(renderCopyText('dotenv', 'x', [['K', 'a b $x']])).toBe("K='a b $x'");
  });
  it('refuses ${…}, which python-dotenv expands in any quoting', () => {
    expect(keyportError(() => renderCopyText('dotenv', 'x', [['K', 'a b ${HOME}']])).code).toBe('VALIDATION');
  });
  it('double-quotes values holding a quote or backslash, escaping \\ and "', () => {
    expect(renderCopyText('dotenv', 'x', [['K', `it's "x" \\`]])).toBe(`K="it's \\"x\\" \\\\"`);
  });
  it('refuses a value that would need double quotes and holds $', () => {
    expect(keyportError(() => renderCopyText('dotenv', 'x', [['K', "it's ${HOME}"]])).code).toBe('VALIDATION');
  });
  it('cmd refuses % (expanded even inside set "…")', () => {
    expect(keyportError(() => renderCopyText('cmd', 'x', [['K', 'a%PATH%b']])).code).toBe('VALIDATION');
  });
});

describe('values a terminal would act on (issue 22, item 3)', () => {
  const formats = [
    ['shell', 'a shell export'],
    ['powershell', 'PowerShell'],
    ['cmd', 'Command Prompt'],
    ['dotenv', 'a .env file'],
  ] as const;

  it.each(HOSTILE_PASTE_VALUES.map((h) => [h.label, h]))('every command-line format refuses a value with %s, naming the format and the code point', (_label, hostile) => {
    for (const [format, name] of formats) {
      for (const env of [[['HATCHER_TOKEN', hostile.value]], [['HATCHER_URL', URL], ['HATCHER_TOKEN', hostile.value]]] as const) {
        const error = keyportError(() => renderCopyText(format, hostile.value, env));
        expect(error.code).toBe('VALIDATION');
        expect(error.field).toBe('format');
        expect(error.message).toContain(`as ${name}:`);
        expect(error.message).toContain(hostile.codePoint);
        expect(error.message).not.toContain(hostile.value);
      }
    }
    expect(keyportError(() => authorizationHeader(hostile.value)).message).toContain('as an Authorization header:');
  });

  it.each(HOSTILE_PASTE_VALUES.map((h) => [h.label, h]))('"token only" stays exact with %s', (_label, hostile) => {
    expect(renderCopyText('raw', hostile.value, [['HATCHER_TOKEN', hostile.value]])).toBe(hostile.value);
  });

  it('still renders values with printable Unicode, joiners and quotes', () => {
    const value = 'caf\u00e9 \u{1F468}\u200D\u{1F469} \u0645\u0631\u062D\u0628\u0627 \'"';
    expect(renderCopyText('shell', value, [['T', value]])).toBe(`export T=${shellQuote(value)}`);
    expect(authorizationHeader('abc.def')).toBe('Authorization: Bearer abc.def');
  });
});
