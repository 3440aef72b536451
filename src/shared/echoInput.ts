/** The most characters of someone's input an error message or `field` repeats back. A refused
 * 50 MB record key must not come back as a 50 MB error. */
export const MAX_ECHOED_INPUT = 100;

const HEAD = 60;
const TAIL = MAX_ECHOED_INPUT - HEAD - 1;

/** `input` as an error may repeat it: whole up to MAX_ECHOED_INPUT UTF-16 units, else its start
 * and end around an ellipsis (the end of a path or key often tells which one it was). Slices
 * without copying the whole input, and never splits a surrogate pair. */
export function echoInput(input: string): string {
  if (input.length <= MAX_ECHOED_INPUT) return input;
  const head = input.slice(0, /[\uD800-\uDBFF]/.test(input[HEAD - 1] ?? '') ? HEAD - 1 : HEAD);
  const tail = input.slice(/[\uDC00-\uDFFF]/.test(input[input.length - TAIL] ?? '') ? input.length - TAIL + 1 : input.length - TAIL);
  return `${head}…${tail}`;
}
