import { describe, expect, it } from 'vitest';
import { urlPathWarning } from '../../../../shared/urlPathWarning';
import { edsProvider } from './edsProvider';


describe('urlPathWarning', () => {
  const eds = edsProvider.descriptor;
  it('warns about an EDS URL with a path, naming the root hatcher calls and the path it drops', () => {
    expect(urlPathWarning(eds, 'https://packages.example.com/eds/')).toBe(
      'hatcher signs in at this address but calls the API at https://packages.example.com/api/…, without /eds: with this URL hatcher fails with 404 (Keyport works). Use the server’s root address if it serves the API there.',
    );
    expect(urlPathWarning(eds, 'packages.example.com:8443/a/b')).toContain('https://packages.example.com:8443/api/…, without /a/b');
  });
  it('is quiet for a root URL, an unreadable one, or a kind without the warning', () => {
    expect(urlPathWarning(eds, 'https://packages.example.com')).toBeNull();
    expect(urlPathWarning(eds, 'https://packages.example.com/')).toBeNull();
    expect(urlPathWarning(eds, 'http://[')).toBeNull();
    expect(urlPathWarning({}, 'https://example.com/path')).toBeNull();
    expect(urlPathWarning(undefined, 'https://example.com/path')).toBeNull();
  });
});
