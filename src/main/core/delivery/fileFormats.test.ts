import { describe, expect, it } from 'vitest';
import { envValue, mergeEnvFile, mergeNpmrc, renderDelivery } from './fileFormats';

describe('mergeNpmrc', () => {
  const other = [
    '; my npm settings',
    '//registry.npmjs.org/:_authToken=npm_other_registry_token',
    '@corp:registry=https://npm.corp.example/',
    '//npm.corp.example/:_authToken = corp-token  ',
    '',
    '# a comment with = in it',
    'save-exact=true',
  ];

  it('replaces only this registry’s auth line and keeps every other line byte for byte', () => {
    const before = [...other.slice(0, 2), '//127.0.0.1:4873/:_authToken=old', ...other.slice(2)].join('\n') + '\n';
    const after = mergeNpmrc(before, '//127.0.0.1:4873/', 'new-token');
    expect(after).toBe(before.replace('//127.0.0.1:4873/:_authToken=old', '//127.0.0.1:4873/:_authToken=new-token'));
  });

  it('appends the line when the registry has none, keeping CRLF files CRLF', () => {
    const before = other.join('\r\n') + '\r\n';
    expect(mergeNpmrc(before, '//127.0.0.1:4873/', 't')).toBe(`${before}//127.0.0.1:4873/:_authToken=t\r\n`);
    expect(mergeNpmrc('save-exact=true', '//h/', 't')).toBe('save-exact=true\n//h/:_authToken=t\n');
    expect(mergeNpmrc(null, '//h/p/', 't')).toBe('//h/p/:_authToken=t\n');
  });

  it('does not touch a registry whose key only starts the same way, and drops a duplicate of its own line', () => {
    const before = '//h/pathx/:_authToken=keep\n//h/path/:_authToken=a\n//h/path/:_authToken=b\n';
    expect(mergeNpmrc(before, '//h/path/', 'n')).toBe('//h/pathx/:_authToken=keep\n//h/path/:_authToken=n\n');
  });
});

describe('mergeEnvFile', () => {
  it('replaces the variables (also after export), appends missing ones, keeps the rest', () => {
    const before = '# env\nexport HATCHER_TOKEN=old\nKEEP=1\n';
    expect(mergeEnvFile(before, [['HATCHER_TOKEN', 'new'], ['HATCHER_URL', 'https://h.example']])).toBe('# env\nexport HATCHER_TOKEN=new\nKEEP=1\nHATCHER_URL=https://h.example\n');
  });

  it('quotes values a shell would split or expand', () => {
    expect(envValue('abc.DEF_123-=')).toBe('abc.DEF_123-=');
    expect(envValue("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});

describe('renderDelivery', () => {
  it('refuses an .npmrc for a token that is not an npm registry’s', () => {
    expect(() => renderDelivery('npmrc', null, { secret: 's', variables: [], nerfDart: null, sessionFile: null })).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'format' }));
    expect(renderDelivery('plain', 'old', { secret: 's', variables: [], nerfDart: null, sessionFile: null })).toBe('s\n');
  });
});
