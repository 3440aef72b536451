import { describe, expect, it } from 'vitest';
import { echoInput, MAX_ECHOED_INPUT } from './echoInput';

describe('echoInput', () => {
  it('repeats short input whole', () => {
    expect(echoInput('')).toBe('');
    expect(echoInput('fields.access')).toBe('fields.access');
    const exact = 'x'.repeat(MAX_ECHOED_INPUT);
    expect(echoInput(exact)).toBe(exact);
  });

  it('keeps the start and the end of long input around an ellipsis, at most 100 characters', () => {
    const long = `${'a'.repeat(60)}${'m'.repeat(500)}${'z'.repeat(39)}`;
    expect(echoInput(long)).toBe(`${'a'.repeat(60)}…${'z'.repeat(39)}`);
    expect(echoInput(long)).toHaveLength(MAX_ECHOED_INPUT);
  });

  it('cuts a 50 MB key to 100 characters', () => {
    expect(echoInput('k'.repeat(50 * 1024 * 1024))).toHaveLength(MAX_ECHOED_INPUT);
  });

  it('never splits a surrogate pair at either cut', () => {
    const key = '\u{1F511}';
    for (let shift = 0; shift < 4; shift++) {
      const echoed = echoInput('x'.repeat(shift) + key.repeat(200));
      expect(echoed.length).toBeLessThanOrEqual(MAX_ECHOED_INPUT);
      expect(echoed).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });
});
