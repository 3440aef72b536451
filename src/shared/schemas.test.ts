import { describe, expect, it } from 'vitest';
import { PROCEDURE_NAMES } from './contract';
import {
  MAX_URL_LENGTH,
  inputSchemas,
  MAX_TOKEN_NAME_LENGTH,
  nameSchema,
  tokenNameSchema,
  tokenNameWarning,
  normalizeServerUrl,
  serverInputSchema,
  serverUrlProblem,
  serverUrlSchema,
  settingsSchema,
  usernameSchema,
} from './schemas';

/** The first issue's message, or null when the value is accepted. */
function problem(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }, value: unknown): string | null {
  const result = schema.safeParse(value);
  return result.success ? null : (result.error?.issues[0]?.message ?? 'invalid');
}

describe('tokenNameSchema', () => {
  it('keeps the name as typed: no trimming, longer than 100 characters', () => {
    expect(tokenNameSchema.parse('dup ')).toBe('dup ');
    expect(tokenNameSchema.parse(' dup')).toBe(' dup');
    expect(tokenNameSchema.parse('x'.repeat(150))).toHaveLength(150);
    expect(tokenNameSchema.parse('x'.repeat(MAX_TOKEN_NAME_LENGTH))).toHaveLength(MAX_TOKEN_NAME_LENGTH);
  });

  it('still refuses what no server should be sent: too long, blank, control and invisible characters', () => {
    expect(problem(tokenNameSchema, 'x'.repeat(MAX_TOKEN_NAME_LENGTH + 1))).toBe('Use at most 500 characters.');
    expect(problem(tokenNameSchema, '')).toBe('Enter a name.');
    expect(problem(tokenNameSchema, '   ')).toBe('Enter a name with at least one visible character.');
    expect(problem(tokenNameSchema, 'ci\nadmin')).toBe('Names cannot contain control characters.');
    expect(problem(tokenNameSchema, 'prod\u202Eved')).toBe('Names cannot contain invisible or text-direction characters.');
  });

  it('warns about spaces at either end instead of removing them', () => {
    expect(tokenNameWarning('dup')).toBeNull();
    expect(tokenNameWarning('my token')).toBeNull();
    expect(tokenNameWarning('dup ')).toBe('The name ends with a space; it is sent as typed.');
    expect(tokenNameWarning(' dup')).toBe('The name starts with a space; it is sent as typed.');
    expect(tokenNameWarning(' dup ')).toBe('The name starts and ends with a space; it is sent as typed.');
  });
});

describe('nameSchema', () => {
  it('accepts ordinary names and trims them', () => {
    expect(nameSchema.parse('Production')).toBe('Production');
    expect(nameSchema.parse('  Production EDS  ')).toBe('Production EDS');
    expect(nameSchema.parse('x'.repeat(100))).toHaveLength(100);
  });

  it('accepts emoji and other scripts', () => {
    expect(nameSchema.parse('\u{1F680} Prod')).toBe('\u{1F680} Prod');
    expect(nameSchema.parse('\u00c9quipe \u540d\u524d \u0645\u062e\u062a\u0628\u0631')).toBe('\u00c9quipe \u540d\u524d \u0645\u062e\u062a\u0628\u0631');
    expect(nameSchema.parse('\u{1F468}\u200D\u{1F469}\u200D\u{1F467} family')).toContain('family'); // ZWJ is a format char, not control
  });

  it('refuses empty and blank names', () => {
    expect(problem(nameSchema, '')).toBe('Enter a name.');
    expect(problem(nameSchema, '   ')).toBe('Enter a name.');
    expect(problem(nameSchema, '\t\n')).toBe('Enter a name.');
  });

  it('refuses more than 100 characters', () => {
    expect(problem(nameSchema, 'x'.repeat(101))).toBe('Use at most 100 characters.');
    // Trimmed first: 100 characters with surrounding spaces are fine.
    expect(problem(nameSchema, ` ${'x'.repeat(100)} `)).toBeNull();
  });

  it.each(['pro\u202Ed', '\u2066prod\u2069', 'pr\u200Bod', 'pr\uFEFFod', 'prod\u200E', 'a\u00ADb', 'a\u2060b'])('refuses invisible and text-direction characters (%j)', (value) => {
    expect(problem(nameSchema, value)).toBe('Names cannot contain invisible or text-direction characters.');
  });

  it.each(['\u3000', '\u00A0\u2003', '\u200D', '\u200C\u200D'])('refuses a name with nothing visible (%j)', (value) => {
    expect(problem(nameSchema, value)).not.toBeNull();
  });

  it.each(['👩\u200D💻 laptop', 'می\u200Cخواهم', 'Ünïcödé 服务器', 'a'])('keeps joiners that scripts and emoji need, and any visible text (%j)', (value) => {
    expect(problem(nameSchema, value)).toBeNull();
  });

  it.each(['a\u0000b', 'a\tb', 'a\nb', 'a\rb', 'a\u001bb', 'a\u007fb', 'a\u0085b', 'a\u0007b'])('refuses control characters (%j)', (value) => {
    expect(problem(nameSchema, value)).toBe('Names cannot contain control characters.');
  });

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 42, ['a'], { name: 'a' }]) expect(problem(nameSchema, value)).not.toBeNull();
  });
});

describe('serverUrlProblem', () => {
  it.each([
    'https://packages.enthought.com',
    'https://packages.enthought.com/',
    'http://127.0.0.1:8080/eds',
    'http://[::1]:3000',
    'https://localhost',
    'https://eds.example.com/a/b/c',
    'https://xn--bcher-kva.example',
  ])('accepts %s', (url) => {
    expect(serverUrlProblem(url)).toBeNull();
  });

  it.each([
    ['https://eds example.com', 'A URL cannot contain spaces.'],
    [' https://eds.example.com', 'A URL cannot contain spaces.'],
    ['https://eds.example.com\n', 'A URL cannot contain spaces.'],
    ['eds.example.com', 'Enter a full URL, such as https://packages.example.com.'],
    ['', 'Enter a full URL, such as https://packages.example.com.'],
    ['http://', 'Enter a full URL, such as https://packages.example.com.'],
    ['https://', 'Enter a full URL, such as https://packages.example.com.'],
    ['//eds.example.com', 'Enter a full URL, such as https://packages.example.com.'],
    ['ftp://eds.example.com', 'Only http and https URLs are allowed, not ftp.'],
    ['file:///etc/passwd', 'Only http and https URLs are allowed, not file.'],
    ['javascript:alert(1)', 'Only http and https URLs are allowed, not javascript.'],
    ['ws://eds.example.com', 'Only http and https URLs are allowed, not ws.'],
    ['https://alice:pw@eds.example.com', 'Do not put a user name or password in the URL: sign in after adding the server.'],
    ['https://alice@eds.example.com', 'Do not put a user name or password in the URL: sign in after adding the server.'],
    ['https://:pw@eds.example.com', 'Do not put a user name or password in the URL: sign in after adding the server.'],
    ['https://eds.example.com/?a=1', 'Remove the query (?…) or fragment (#…) from the URL.'],
    ['https://eds.example.com/#top', 'Remove the query (?…) or fragment (#…) from the URL.'],
  ])('refuses %j', (url, message) => {
    expect(serverUrlProblem(url)).toBe(message);
  });

  it('never repeats a password from the URL', () => {
    expect(serverUrlProblem('https://alice:fake-secret-pw@eds.example.com')).not.toContain('fake-secret');
    expect(serverUrlProblem('https://eds.example.com/?token=fake-secret-q')).not.toContain('fake-secret');
  });
});

describe('serverUrlSchema and normalizeServerUrl', () => {
  it('trims, then limits the length to 2048', () => {
    expect(MAX_URL_LENGTH).toBe(2048);
    const base = 'https://eds.example.com/';
    const exact = base + 'a'.repeat(MAX_URL_LENGTH - base.length);
    expect(serverUrlSchema.parse(`  ${exact}  `)).toBe(exact);
    expect(problem(serverUrlSchema, `${exact}a`)).toBe('Use at most 2048 characters.');
    expect(problem(serverUrlSchema, '  ')).toBe('Enter the server URL.');
    expect(problem(serverUrlSchema, 'ftp://x')).toBe('Only http and https URLs are allowed, not ftp.');
  });

  it.each([
    ['https://eds.example.com/', 'https://eds.example.com'],
    ['https://eds.example.com', 'https://eds.example.com'],
    ['https://eds.example.com/eds///', 'https://eds.example.com/eds'],
    ['HTTPS://EDS.EXAMPLE.COM/Path/', 'https://eds.example.com/Path'],
    ['https://eds.example.com:443/', 'https://eds.example.com'],
    ['http://eds.example.com:8080/', 'http://eds.example.com:8080'],
    ['  https://eds.example.com/x/  ', 'https://eds.example.com/x'],
  ])('normalizes %j to %j', (url, expected) => {
    expect(normalizeServerUrl(url)).toBe(expected);
  });
});

describe('serverInputSchema', () => {
  it('fills the defaults', () => {
    expect(serverInputSchema.parse({ name: ' A ', kind: 'eds', url: 'https://x.example' })).toEqual({
      name: 'A',
      kind: 'eds',
      url: 'https://x.example',
      allowInsecureTls: false,
      caCertificatePath: null,
      options: {},
    });
  });

  it('treats an empty CA path as none, and trims a given one', () => {
    const base = { name: 'A', kind: 'eds', url: 'https://x.example' };
    expect(serverInputSchema.parse({ ...base, caCertificatePath: '' }).caCertificatePath).toBeNull();
    expect(serverInputSchema.parse({ ...base, caCertificatePath: '   ' }).caCertificatePath).toBeNull();
    expect(serverInputSchema.parse({ ...base, caCertificatePath: ' /etc/ca.pem ' }).caCertificatePath).toBe('/etc/ca.pem');
    expect(problem(serverInputSchema, { ...base, caCertificatePath: 'x'.repeat(4097) })).toBe('That path is too long.');
  });

  it('requires a kind', () => {
    expect(problem(serverInputSchema, { name: 'A', kind: '', url: 'https://x.example' })).toBe('Choose a server kind.');
  });
});

describe('other schemas', () => {
  it('usernameSchema trims and refuses control characters', () => {
    expect(usernameSchema.parse(' alice ')).toBe('alice');
    expect(problem(usernameSchema, '')).toBe('Enter your user name.');
    expect(problem(usernameSchema, 'al\u0000ice')).toBe('User names cannot contain control characters.');
    expect(problem(usernameSchema, 'a'.repeat(321))).toBe('That user name is too long.');
    expect(problem(usernameSchema, 'ali\u202Eecb')).toBe('User names cannot contain invisible or text-direction characters.');
  });

  it('settingsSchema bounds', () => {
    const { clipboardClearSeconds, requestTimeoutSeconds } = settingsSchema.shape;
    expect(clipboardClearSeconds.parse(5)).toBe(5);
    expect(clipboardClearSeconds.parse(600)).toBe(600);
    expect(problem(clipboardClearSeconds, 4)).toBe('At least 5 seconds.');
    expect(problem(clipboardClearSeconds, 601)).toBe('At most 10 minutes.');
    expect(problem(clipboardClearSeconds, 30.5)).not.toBeNull();
    expect(problem(clipboardClearSeconds, Number.NaN)).not.toBeNull();
    expect(problem(clipboardClearSeconds, '30')).not.toBeNull();
    expect(requestTimeoutSeconds.parse(1)).toBe(1);
    expect(requestTimeoutSeconds.parse(300)).toBe(300);
    expect(problem(requestTimeoutSeconds, 0)).toBe('At least 1 second.');
    expect(problem(requestTimeoutSeconds, 301)).toBe('At most 5 minutes.');
  });

  it('every procedure has an input schema, and no schema lacks a procedure', () => {
    expect(Object.keys(inputSchemas).sort()).toEqual([...PROCEDURE_NAMES].sort());
  });

  it('the token sign-in trims the pasted token; the password is kept as typed', () => {
    expect(inputSchemas['auth.signInWithToken'].parse({ serverId: 's', token: '  abc.def\n' }).token).toBe('abc.def');
    expect(inputSchemas['auth.signInWithPassword'].parse({ serverId: 's', username: 'a', password: ' p w ' }).password).toBe(' p w ');
    expect(problem(inputSchemas['auth.signInWithPassword'], { serverId: 's', username: 'a', password: '' })).toBe('Enter the password.');
    expect(problem(inputSchemas['auth.signInWithToken'], { serverId: 's', token: 'x'.repeat(16_385) })).toBe('That token is too long.');
  });

  it.each(['abc\ndef', 'abc\r\ndef', 'abc\u0000', 'a\u001b[2Jb', 'ab\u007f'])('a pasted token with a line break or control character inside (%j) is refused on the token field', (token) => {
    const result = inputSchemas['auth.signInWithToken'].safeParse({ serverId: 's', token });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['token']);
    expect(result.error?.issues[0]?.message).toBe('A token is one line without control characters; paste only the token.');
    // The password is typed, not pasted: kept as it is.
    expect(inputSchemas['auth.signInWithPassword'].safeParse({ serverId: 's', username: 'a', password: token }).success).toBe(true);
  });

  it('an existing OAuth client’s key and secret are trimmed, one line each', () => {
    const schema = inputSchemas['auth.signInWithPassword'];
    const parsed = schema.parse({ serverId: 's', username: 'a', password: 'p', client: { type: 'existing', key: ' k\n', secret: '\ts ' } });
    expect(parsed.client).toEqual({ type: 'existing', key: 'k', secret: 's' });
    const bad = schema.safeParse({ serverId: 's', username: 'a', password: 'p', client: { type: 'existing', key: 'k', secret: 's1\ns2' } });
    expect(bad.error?.issues[0]?.path).toEqual(['client', 'secret']);
  });

  it('procedures without input accept only undefined', () => {
    expect(inputSchemas['servers.list'].safeParse(undefined).success).toBe(true);
    expect(inputSchemas['servers.list'].safeParse({}).success).toBe(false);
    expect(inputSchemas['servers.list'].safeParse(null).success).toBe(false);
  });

  it('ids are bounded', () => {
    expect(problem(inputSchemas['servers.remove'], { id: '' })).toBe('An id is required.');
    expect(problem(inputSchemas['servers.remove'], { id: 'x'.repeat(101) })).toBe('That id is too long.');
  });

  it('settings.update accepts a part of the settings', () => {
    expect(inputSchemas['settings.update'].parse({ clipboardClearSeconds: 10 })).toEqual({ clipboardClearSeconds: 10 });
    expect(inputSchemas['settings.update'].parse({})).toEqual({});
  });
});

describe('reminder days', () => {
  const { reminderDays } = settingsSchema.shape;
  it('takes up to 5 whole days between 1 and 365; none turns reminders off', () => {
    expect(reminderDays.parse([30, 7])).toEqual([30, 7]);
    expect(reminderDays.parse([])).toEqual([]);
    expect(problem(reminderDays, [0])).toBe('Remind at least 1 day before.');
    expect(problem(reminderDays, [366])).toBe('Remind at most 365 days before.');
    expect(problem(reminderDays, [1.5])).toBe('Use whole days, such as 30, 7.');
    expect(problem(reminderDays, [Number.NaN])).toBe('Use whole days, such as 30, 7.');
    expect(problem(reminderDays, [1, 2, 3, 4, 5, 6])).toBe('At most 5 reminders per key.');
  });
});
