import { describe, expect, it } from 'vitest';
import { KeyportError } from './errors';
import { loadOnFirstUse } from './loadOnFirstUse';
import { loadSshTransport } from './delivery/sshLoader';
import { loadOidcClient } from './oauth/oidcLoader';

const WHAT = { library: 'its SSH library (ssh2)', feature: 'delivering a token to a machine' };

describe('loadOnFirstUse', () => {
  it('loads once, at the first call, and hands every caller the same module', async () => {
    let loads = 0;
    const load = loadOnFirstUse(WHAT, async () => {
      loads++;
      return { value: 42 };
    });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([load(), load()]);
    expect(await load()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it('a module that cannot be loaded fails the call with a typed error saying what is missing and what to do, without the path', async () => {
    const load = loadOnFirstUse(WHAT, () => import(/* @vite-ignore */ ['/nowhere', 'keyport-missing-module.js'].join('/')));
    const error = await load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyportError);
    expect((error as KeyportError).toShape()).toEqual({
      code: 'INTERNAL',
      message: 'Keyport could not load its SSH library (ssh2), which delivering a token to a machine needs (ERR_MODULE_NOT_FOUND).',
      hint: 'Keyport’s installation is incomplete or damaged: install Keyport again.',
    });
    expect((error as KeyportError).message).not.toContain('/nowhere');
  });

  it('after a failure, the next call tries again', async () => {
    let attempts = 0;
    const load = loadOnFirstUse(WHAT, async () => {
      attempts++;
      if (attempts === 1) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      return 'loaded';
    });
    await expect(load()).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('(EMFILE)') });
    await expect(load()).resolves.toBe('loaded');
    expect(attempts).toBe(2);
  });

  it('the real loaders reach the SSH and OpenID Connect code', async () => {
    expect(typeof (await loadSshTransport()).openSshSession).toBe('function');
    expect(typeof (await loadOidcClient()).discover).toBe('function');
  });
});
