import { describe, expect, it } from 'vitest';
import { HOSTILE_PASTE_VALUES } from '../../../../test/support/hostilePasteValues';
import { pasteIntoInteractiveBash } from '../../../../test/support/interactiveBash';
import { renderCopyText, shellQuote } from './copyFormats';

/** Values a shell export must carry exactly (no control characters: those are refused). */
const BENIGN = ['plain-token', 'a\'b"c $HOME `x` $(touch pwned)', '!bang !! !$', '~root', '#not a comment', 'caf\u00e9 \u20ac \u{1F511}', 'a;b|c&d>e<f', ''];

const RUNNING = HOSTILE_PASTE_VALUES.filter((h) => h.runs);
/** Ends the terminal's bracketed paste early: what follows is read as typed. */
const END_OF_PASTE = '\x1b[201~';

describe('a pasted shell copy in an interactive bash in a real pty (issue 22, item 3)', () => {
  for (const bracketed of [true, false]) {
    const how = bracketed ? 'with bracketed paste' : 'without bracketed paste';

    it(`sets exactly the variables and runs nothing until Enter, ${how}`, async () => {
      const env = BENIGN.map((value, i) => [`KEYPORT_V${i}`, value] as const);
      const outcome = await pasteIntoInteractiveBash(renderCopyText('shell', 'x', env), bracketed, env.map(([name]) => name));
      expect(outcome.ranBeforeEnter).toBe(false);
      expect(outcome.promptsAfterEnter).toEqual({ ready: 1, more: 0 });
      expect(outcome.markerExists).toBe(false);
      expect(outcome.values).toEqual(BENIGN);
    }, 15_000);

    // The harness sees an attack: quoting alone, without the refusal, lets these values run a
    // command before Enter. Keyport refuses every one of them for every command-line format.
    it.each(RUNNING.map((h) => [h.label, h]))(`quoting alone would run a command with %s, ${how}; Keyport refuses it`, async (_label, hostile) => {
      const value = bracketed ? END_OF_PASTE + hostile.value : hostile.value;
      const outcome = await pasteIntoInteractiveBash(`export T=${shellQuote(value)}`, bracketed, ['T']);
      expect(outcome.ranBeforeEnter).toBe(true);
      expect(outcome.markerExists).toBe(true);
      expect(() => renderCopyText('shell', value, [['T', value]])).toThrow(/as a shell export: pasted into a terminal/);
    }, 15_000);
  }
});
