import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenForRedirect } from './loopbackRedirect';

const PATH = '/auth/oidc';

async function open(state = 'expected-state', timeoutMs = 5000, signal?: AbortSignal) {
  return listenForRedirect({ path: PATH, expectedState: state, timeoutMs, signal });
}

/** True when nothing accepts connections on the port any more. */
async function portClosed(redirectUri: string): Promise<boolean> {
  try {
    await fetch(new URL('/', redirectUri), { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe('listenForRedirect', () => {
  it('listens on 127.0.0.1 with an ephemeral port, answers the browser once, and closes', async () => {
    const listener = await open();
    expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/oidc$/);
    const answer = await fetch(`${listener.redirectUri}?code=abc&state=expected-state`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await answer.text()).toContain('You can close this tab and return to Keyport.');
    const callback = await listener.callback;
    expect(callback.searchParams.get('code')).toBe('abc');
    expect(listener.closed).toBe(true);
    expect(await portClosed(listener.redirectUri)).toBe(true);
  });

  it('a port someone else holds is never a problem: each listener gets its own', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const [a, b] = await Promise.all([open(), open()]);
    expect(new URL(a.redirectUri).port).not.toBe(new URL(b.redirectUri).port);
    a.close();
    b.close();
    squatter.close();
  });

  it('refuses a tampered state, says so in the page, and closes the listener', async () => {
    const listener = await open();
    const answer = await fetch(`${listener.redirectUri}?code=abc&state=someone-elses`);
    expect(answer.status).toBe(400);
    await expect(listener.callback).rejects.toMatchObject({ code: 'AUTH_FAILED', message: 'The sign-in answer did not match the request Keyport made, so Keyport refused it.' });
    expect(await portClosed(listener.redirectUri)).toBe(true);
  });

  it('a denial in the browser is CANCELLED; another OAuth error is AUTH_FAILED naming only the code', async () => {
    const denied = await open();
    await fetch(`${denied.redirectUri}?error=access_denied&state=expected-state`);
    await expect(denied.callback).rejects.toMatchObject({ code: 'CANCELLED' });
    const failed = await open();
    await fetch(`${failed.redirectUri}?error=server_error&error_description=${encodeURIComponent('<script>x</script>')}&state=expected-state`);
    const error = (await failed.callback.catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'AUTH_FAILED' });
    expect(error.message).toContain('server_error');
    expect(error.message).not.toContain('script');
  });

  it('an answer without a code is refused, and a replayed callback finds the listener gone', async () => {
    const noCode = await open();
    await fetch(`${noCode.redirectUri}?state=expected-state`);
    await expect(noCode.callback).rejects.toMatchObject({ code: 'AUTH_FAILED', message: 'The sign-in server came back without a login code.' });
    const once = await open();
    await fetch(`${once.redirectUri}?code=abc&state=expected-state`);
    await once.callback;
    await expect(fetch(`${once.redirectUri}?code=abc&state=expected-state`)).rejects.toThrow();
  });

  it('answers other paths with 404 and keeps waiting', async () => {
    const listener = await open();
    expect((await fetch(new URL('/favicon.ico', listener.redirectUri))).status).toBe(404);
    expect(listener.closed).toBe(false);
    listener.close();
    await expect(listener.callback).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('times out and closes', async () => {
    const listener = await open('s', 150);
    await expect(listener.callback).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await portClosed(listener.redirectUri)).toBe(true);
  });

  it('is cancelled by its signal', async () => {
    const abort = new AbortController();
    const listener = await open('s', 5000, abort.signal);
    abort.abort();
    await expect(listener.callback).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(listener.closed).toBe(true);
  });
});
