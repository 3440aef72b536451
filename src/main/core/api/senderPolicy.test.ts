import { describe, expect, it } from 'vitest';
import { isTrustedSenderUrl } from './senderPolicy';

const DEV = 'http://localhost:5173';
const HOST = 'http://keyport.localhost';
const APP = 'app://keyport';
const TRUSTED = [DEV, HOST, APP];

describe('isTrustedSenderUrl', () => {
  it.each([
    `${DEV}/`,
    `${DEV}/index.html?x=1#y`,
    `${HOST}/`,
    `${HOST}/deep/path`,
    'HTTP://KEYPORT.LOCALHOST/', // the same origin, spelled in capitals
    'http://keyport.localhost:80/', // the default port is the same origin
    `${APP}/index.html`,
    `${APP}/`,
    APP,
  ])('trusts %s', (url) => {
    expect(isTrustedSenderUrl(url, TRUSTED)).toBe(true);
  });

  it.each([
    'http://localhost:5174/', // another port
    'http://localhost/', // no port
    'https://localhost:5173/', // another scheme
    'https://keyport.localhost/',
    'http://evil.example.com/',
    'http://keyport.localhost.evil.com/', // look-alike hosts
    'http://evil-keyport.localhost/',
    'http://keyport.localhost@evil.com/',
    'http://evil.com/?http://keyport.localhost',
    'http://evil.com/#http://keyport.localhost',
    'app://keyport.evil/index.html',
    'app://keyport:8080/index.html',
    'app://keyportx/',
    'app://evil/keyport',
    'app:keyport',
    'other://keyport/index.html',
    'file:///index.html',
    'file://keyport/index.html',
    'data:text/html,<script>1</script>',
    'javascript:alert(1)',
    'about:blank',
    'blob:http://evil.com/1234',
    '',
    'not a url',
    '//keyport.localhost/',
    'keyport.localhost',
  ])('refuses %s', (url) => {
    expect(isTrustedSenderUrl(url, TRUSTED)).toBe(false);
  });

  it('refuses missing URLs', () => {
    expect(isTrustedSenderUrl(undefined, TRUSTED)).toBe(false);
    expect(isTrustedSenderUrl(null, TRUSTED)).toBe(false);
  });

  it('refuses everything when nothing is trusted, and does not match the "null" origin', () => {
    expect(isTrustedSenderUrl(`${HOST}/`, [])).toBe(false);
    expect(isTrustedSenderUrl('file:///index.html', ['null'])).toBe(false);
    expect(isTrustedSenderUrl('data:text/html,x', ['null'])).toBe(false);
  });

  it('trusts only the listed origins', () => {
    expect(isTrustedSenderUrl(`${DEV}/`, [HOST])).toBe(false);
    expect(isTrustedSenderUrl(`${APP}/index.html`, [HOST])).toBe(false);
  });
});
