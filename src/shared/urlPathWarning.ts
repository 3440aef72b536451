import type { KindDescriptor } from './model';

/** The kind's warning about a URL with a path (KindDescriptor.urlPathWarning), or null when the
 * URL has none, the kind has no such warning, or the URL cannot be read. */
export function urlPathWarning(kind: Pick<KindDescriptor, 'urlPathWarning'> | undefined, url: string): string | null {
  if (!kind?.urlPathWarning) return null;
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim()) ? url.trim() : `https://${url.trim()}`);
  } catch {
    return null;
  }
  if (parsed.pathname === '/' || parsed.pathname === '') return null;
  return kind.urlPathWarning.replaceAll('{root}', `${parsed.protocol}//${parsed.host}`).replaceAll('{path}', parsed.pathname.replace(/\/+$/, ''));
}
