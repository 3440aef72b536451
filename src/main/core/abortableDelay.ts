/** Waits `ms`, rejecting with the signal's reason when it aborts (so the caller can tell a
 * Cancel from a failure). One timer, removed on abort: the polling loops of the device and web
 * sign-ins (OpenID Connect, Anaconda, Tapis v3, npm) wait with it. Plain setTimeout on purpose,
 * so that tests with fake timers drive it. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
