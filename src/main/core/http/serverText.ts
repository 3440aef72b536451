import type { HttpResponse } from './types';

/** How much of a server's own error text Keyport shows. */
export const SERVER_TEXT_LIMIT = 300;

// C0 and C1 controls, DEL, and the invisible characters that reorder or hide text (bidi
// embeddings, overrides and isolates, marks, zero-width characters, the BOM).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** A server's text made safe to show on one line: whitespace runs become one space, every other
 * control or invisible character is shown as its code (`<U+202E>`), and the result is cut to
 * SERVER_TEXT_LIMIT characters. Null when nothing visible is left. */
export function sanitizeServerText(text: string): string | null {
  const visible = text
    .replace(/[\t\n\r\f\v]+/g, ' ')
    .replace(HIDDEN, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`)
    .replace(/ {2,}/g, ' ')
    .trim();
  if (visible === '') return null;
  const chars = [...visible];
  return chars.length <= SERVER_TEXT_LIMIT ? visible : `${chars.slice(0, SERVER_TEXT_LIMIT - 1).join('')}…`;
}

/** The text of a JSON error body (`{"error": "…"}`, `{"message": "…"}`, `{"detail": "…"}`),
 * sanitized; null when the body has none. */
export function serverErrorText(res: HttpResponse): string | null {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  for (const key of ['error', 'message', 'detail'] as const) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'string') return sanitizeServerText(value);
  }
  return null;
}
