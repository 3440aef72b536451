import { describe, expect, it } from 'vitest';
import { displayName, displayParts, MAX_SHOWN_NAME, visibleText } from './displayText';

describe('visibleText', () => {
  it('leaves printable text as it is, joiners included', () => {
    for (const text of ['deploy', 'ci token #2', 'caf\u00e9 \u20ac', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645', '=cmd|calc', '']) {
      expect(visibleText(text)).toBe(text);
    }
  });

  it('shows C0 controls and DEL as \\u{…} escapes', () => {
    expect(visibleText('a\x1b]0;pwned\x07b')).toBe('a\\u{001B}]0;pwned\\u{0007}b');
    expect(visibleText('\0\t\n\r\x7f')).toBe('\\u{0000}\\u{0009}\\u{000A}\\u{000D}\\u{007F}');
  });

  it('shows C1 controls, separators, bidirectional and invisible characters as \\u{…}', () => {
    expect(visibleText('prod\u202Egnp.exe')).toBe('prod\\u{202E}gnp.exe');
    expect(visibleText('\u0085\u009b\u2028\u2029')).toBe('\\u{0085}\\u{009B}\\u{2028}\\u{2029}');
    expect(visibleText('\u2066x\u2069\u200E\u200F\u061C')).toBe('\\u{2066}x\\u{2069}\\u{200E}\\u{200F}\\u{061C}');
    expect(visibleText('a\u200Bb\uFEFFc\u00ADd')).toBe('a\\u{200B}b\\u{FEFF}c\\u{00AD}d');
  });

  it('shows unpaired surrogates, and keeps paired ones', () => {
    expect(visibleText('a\uD83Db\uDD11c\u{1F511}')).toBe('a\\u{D83D}b\\u{DD11}c\u{1F511}');
  });

  it('leaves nothing a terminal or a bidi algorithm would act on', () => {
    let all = '';
    for (let c = 0; c <= 0x2100; c++) all += String.fromCharCode(c);
    expect(visibleText(all)).not.toMatch(/[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u);
  });
});

describe('displayName', () => {
  it('shows names up to 120 characters whole', () => {
    const name = 'n'.repeat(MAX_SHOWN_NAME);
    expect(displayName(name)).toBe(name);
  });

  it('cuts a longer name to 120 characters with an ellipsis', () => {
    const shown = displayName('x'.repeat(600));
    expect(shown).toBe(`${'x'.repeat(MAX_SHOWN_NAME - 1)}…`);
    expect(Array.from(displayName('\u{1F511}'.repeat(600)))).toHaveLength(MAX_SHOWN_NAME);
    expect(displayName('\u{1F511}'.repeat(600))).not.toMatch(/\\u\{D/);
  });

  it('counts what is shown, so escapes cannot make it longer than 120', () => {
    expect(Array.from(displayName('\u202E'.repeat(200)))).toHaveLength(MAX_SHOWN_NAME);
    expect(displayName('\u202E'.repeat(200)).startsWith('\\u{202E}\\u{202E}')).toBe(true);
  });

  it('reads only the start of a huge name', () => {
    expect(displayName(`${'y'.repeat(10_000_000)}\x1b`)).toBe(`${'y'.repeat(MAX_SHOWN_NAME - 1)}…`);
  });
});

describe('displayParts', () => {
  it('gives no tooltip when the name is shown as it is', () => {
    expect(displayParts('deploy')).toEqual({ shown: 'deploy', full: undefined });
  });

  it('gives the whole visible text as the tooltip when the name was cut or changed', () => {
    const long = `${'a'.repeat(300)}\u202E`;
    expect(displayParts(long)).toEqual({ shown: `${'a'.repeat(119)}…`, full: `${'a'.repeat(300)}\\u{202E}` });
    expect(displayParts('x\x1by')).toEqual({ shown: 'x\\u{001B}y', full: 'x\\u{001B}y' });
  });
});
