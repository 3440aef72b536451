/** Showing text a server chose (token, user, client and claim names, descriptions) without
 * letting it deceive or break what shows it. The server's own string stays as it is for API
 * calls; only what is shown passes through here, in the window, the tray, notifications and
 * the activity log's CSV. */

/** Characters that change how text around them is shown without being visible themselves:
 * bidirectional marks, overrides and isolates (which can make "prod" read as "dorp",
 * CVE-2021-42574), zero-width spaces and marks, the BOM, soft hyphen, interlinear annotation.
 * ZWJ and ZWNJ are not here: emoji sequences and scripts such as Persian and Devanagari need
 * them. The name rules for typed names refuse these (schemas.ts). */
export const INVISIBLE = /[\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/u;

/** Everything visibleText replaces: controls (C0, DEL, C1), the invisible characters above, the
 * line and paragraph separators, and unpaired surrogates. */
const HIDDEN = new RegExp(`\\p{Cc}|\\u2028|\\u2029|${INVISIBLE.source}|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]`, 'gu');

/** The most characters of a name shown inline; the whole (visible) text goes in a tooltip. */
export const MAX_SHOWN_NAME = 120;

/** `\u{1B}`-style escapes rather than control pictures (␛): they read the same in every font,
 * where the control pictures are missing from many (Debian's Chromium shows boxes). */
function visible(char: string): string {
  return `\\u{${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}}`;
}

/** `text` with every control and invisible character made visible as a `\u{…}` escape (ESC is
 * `\u{001B}`). Printable text is unchanged. */
export function visibleText(text: string): string {
  return text.replace(HIDDEN, visible);
}

/** A server-chosen name as shown inline: visible (visibleText) and at most `max` characters,
 * cut with an ellipsis. Counts code points, so a cut never splits a surrogate pair. Reads at
 * most a few times `max` of the input, however long it is. */
export function displayName(name: string, max = MAX_SHOWN_NAME): string {
  const shown = Array.from(visibleText(name.length > max * 2 ? name.slice(0, max * 2) : name));
  return shown.length > max || name.length > max * 2 ? `${shown.slice(0, max - 1).join('')}…` : shown.join('');
}

/** The name shown inline, and the whole visible text for a tooltip when the two differ (the
 * name was cut, or it holds characters made visible). */
export function displayParts(name: string, max = MAX_SHOWN_NAME): { shown: string; full: string | undefined } {
  const shown = displayName(name, max);
  return { shown, full: shown === name ? undefined : visibleText(name) };
}
