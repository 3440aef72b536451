import { abortableDelay } from '../../abortableDelay';
import { KeyportError } from '../../errors';
import { parseJson } from '../../http/responses';
import type { HttpResponse } from '../../http/types';
import type { ServerContext } from '../provider';
import { NPM_EXPECTED, OTP_HEADER, asksForOtp, doneAnswer, webOtpChallenge } from './npmProtocol';

/** Seconds Keyport waits between two polls of a doneUrl: the registry's `retry-after`, kept
 * between these bounds (npm polls again at once for 0, which would hammer the registry). */
const MIN_POLL_SECONDS = 1;
const MAX_POLL_SECONDS = 30;

export interface DoneWait {
  signal?: AbortSignal | undefined;
  /** Keyport's time limit for the person to finish in the browser. */
  timeoutMs: number;
  /** "sign-in" or "confirmation", for the messages. */
  what: 'sign-in' | 'confirmation';
}


const timedOut = (ctx: ServerContext, wait: DoneWait) =>
  new KeyportError('TIMEOUT', `The ${wait.what} in the browser did not complete within ${Math.round(wait.timeoutMs / 1000)} seconds.`, {
    hint: `${ctx.server.name} never said it was done. Start again and finish it in the browser page Keyport opened.`,
  });

/** Polls a doneUrl as npm-profile's webAuthCheckLogin does: 202 + `retry-after` means "not
 * yet", 200 carries `{token}`; anything else ends the wait. Bounded by Keyport's time limit and
 * the person's Cancel. The doneUrl gets no credentials. */
export async function waitForDone(ctx: ServerContext, doneUrl: string, wait: DoneWait): Promise<string> {
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(timedOut(ctx, wait)), wait.timeoutMs);
  timer.unref?.();
  const signal = wait.signal ? AbortSignal.any([wait.signal, limit.signal]) : limit.signal;
  const cancelled = () =>
    limit.signal.aborted ? (limit.signal.reason as KeyportError) : new KeyportError('CANCELLED', `The ${wait.what} in the browser was cancelled.`, { hint: 'Start it again when you are ready.' });
  try {
    for (;;) {
      let res: HttpResponse;
      try {
        res = await ctx.http.send(ctx.target, { method: 'GET', url: doneUrl, signal });
      } catch (error) {
        if (signal.aborted) throw cancelled();
        throw error;
      }
      if (res.status === 200) return parseJson(res, doneAnswer, ctx.server.name, NPM_EXPECTED).token;
      if (res.status === 202) {
        const seconds = Number.parseFloat(res.headers['retry-after'] ?? '');
        const wait = Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, Number.isFinite(seconds) ? seconds : MIN_POLL_SECONDS));
        try {
          await abortableDelay(wait * 1000, signal);
        } catch {
          throw cancelled();
        }
        continue;
      }
      throw doneFailed(ctx, res, wait);
    }
  } finally {
    clearTimeout(timer);
  }
}

function doneFailed(ctx: ServerContext, res: HttpResponse, wait: DoneWait): KeyportError {
  if (res.status === 401 || res.status === 403) {
    return new KeyportError('AUTH_FAILED', `The ${wait.what} was denied in the browser.`, { hint: `${ctx.server.name} says it was refused. Start again if that was a mistake.` });
  }
  if (res.status === 404 || res.status === 410) {
    return new KeyportError('TIMEOUT', `The ${wait.what} request expired at ${ctx.server.name}.`, { hint: 'Start again and finish it in the browser sooner.' });
  }
  // An HTML page or another status: parseJson says which.
  parseJson(res, doneAnswer, ctx.server.name, NPM_EXPECTED);
  return new KeyportError('BAD_RESPONSE', `${ctx.server.name} answered the ${wait.what} with HTTP ${res.status}.`, { hint: 'Try again; if it repeats, sign in with your user name and password.' });
}

export function otpError(ctx: ServerContext, given: string | undefined, what: string): KeyportError {
  return given
    ? new KeyportError('OTP_REQUIRED', `${ctx.server.name} did not accept the one-time password.`, {
        hint: `Enter the current code from your authenticator app to ${what}; codes change every 30 seconds.`,
        field: 'otp',
      })
    : new KeyportError('OTP_REQUIRED', `${ctx.server.name} asks for a one-time password to ${what}.`, {
        hint: 'Your account has two-factor authentication: enter the code from your authenticator app.',
        field: 'otp',
      });
}

/** Sends a request that the registry may guard with a one-time password, as npm's otplease
 * does: with the code the person gave; or, when the 401 says where to confirm in the browser
 * (web-based OTP, security keys) and Keyport can open one, there, then once more with the code
 * the doneUrl hands back; otherwise OTP_REQUIRED, so the person can type a code. An OTP
 * challenge is never a sign that the session ended. */
export async function withOtp(ctx: ServerContext, given: string | undefined, what: string, attempt: (headers: Record<string, string> | undefined) => Promise<HttpResponse>): Promise<HttpResponse> {
  const res = await attempt(given ? { [OTP_HEADER]: given } : undefined);
  if (!asksForOtp(res)) return res;
  if (!given && ctx.browser) {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    const web = webOtpChallenge.safeParse(body);
    if (web.success) {
      await ctx.browser.open(web.data.authUrl);
      const code = await waitForDone(ctx, web.data.doneUrl, { signal: ctx.browser.signal, timeoutMs: ctx.browser.timeoutMs, what: 'confirmation' });
      const again = await attempt({ [OTP_HEADER]: code });
      if (asksForOtp(again)) throw otpError(ctx, code, what);
      return again;
    }
  }
  throw otpError(ctx, given, what);
}
