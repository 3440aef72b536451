/** Token values a hostile server could send to run a command when a copy is pasted into a
 * terminal, for the tests of the copy formats. `codePoint` is the first character a format must
 * refuse. `runs` marks the line-editing payloads that run `touch pwned` in bash when pasted
 * inside single quotes (behind ESC[201~ where the terminal brackets the paste). */
export interface HostilePasteValue {
  label: string;
  value: string;
  codePoint: string;
  runs?: true;
}

const v = (label: string, value: string, codePoint: string, runs?: true): HostilePasteValue => ({ label, value, codePoint, ...(runs ? { runs } : {}) });

export const HOSTILE_PASTE_VALUES: readonly HostilePasteValue[] = [
  v('the end of a bracketed paste, C-a, C-k and C-o', 'tok\x1b[201~\x01touch pwned;\x0b\x0f', 'U+001B'),
  v('C-a, C-k and C-o (operate-and-get-next)', 'tok\x01touch pwned;\x0b\x0f', 'U+0001', true),
  v('DEL (rubout) and C-o', '\x7f;touch pwned;\x0f', 'U+007F', true),
  v('a vertical tab (C-k)', 'tok\x0bx', 'U+000B'),
  v('a tab (completion)', 'tok\tx', 'U+0009'),
  v('a carriage return', 'tok\r;touch pwned', 'U+000D'),
  v('a line feed', 'tok\n;touch pwned', 'U+000A'),
  v('NUL', 'tok\0x', 'U+0000'),
  v('NEL (U+0085, M-C-e to readline in an 8-bit locale)', 'tok\u0085$(touch pwned)', 'U+0085'),
  v('CSI (U+009B)', 'tok\u009b201~x', 'U+009B'),
  v('an OSC escape', 'tok\x1b]0;title\x07', 'U+001B'),
  v('a line separator (U+2028)', 'tok\u2028;touch pwned', 'U+2028'),
  v('a paragraph separator (U+2029)', 'tok\u2029x', 'U+2029'),
  v('a right-to-left override (U+202E)', 'tok\u202Edorp', 'U+202E'),
  v('a left-to-right embedding (U+202A)', 'tok\u202Ax', 'U+202A'),
  v('a right-to-left isolate (U+2067)', 'tok\u2067x\u2069', 'U+2067'),
  v('a pop directional isolate (U+2069)', 'tok\u2069x', 'U+2069'),
  v('a right-to-left mark (U+200F)', 'tok\u200Fx', 'U+200F'),
  v('an Arabic letter mark (U+061C)', 'tok\u061Cx', 'U+061C'),
];
