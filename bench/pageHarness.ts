/** Installed in every bench page (addInitScript) before the page's own scripts run.
 *
 * "Painted" is measured as a browser does not expose it directly: a requestAnimationFrame
 * callback runs just before a frame is rendered, and a message posted from it is delivered just
 * after that frame has been painted. So `paintedWhen(cond)` checks `cond` once per frame and
 * resolves with performance.now() after the first frame in which it held. Times are on the
 * page's clock (0 = navigation start; key events carry their own `timeStamp` on that clock). */
export const FIRST_RENDER_SELECTOR = 'nav[aria-label="Servers"] button';
export const FIRST_RENDER_COUNT = 20;

export const PAGE_HARNESS = `(() => {
  const afterThisFrame = (resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(performance.now());
    channel.port2.postMessage(0);
  };
  const bench = {
    lastKeyDown: -1,
    lastInputDone: -1,
    firstRender: null,
    pending: null,
    paintedWhen(cond, timeoutMs = 20000) {
      const deadline = performance.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const tick = () => {
          let ok = false;
          try { ok = Boolean(cond()); } catch { ok = false; }
          if (ok) return afterThisFrame(resolve);
          if (performance.now() > deadline) return reject(new Error('bench: condition not met in time'));
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
    },
  };
  Object.defineProperty(window, '__bench', { value: bench });
  // Capture phase on window: the earliest script sees a key press.
  window.addEventListener('keydown', (e) => { bench.lastKeyDown = e.timeStamp; }, true);
  // Bubble phase on window: runs after the page's own input handlers (React listens on its root)
  // and the synchronous render they caused, so this marks the end of the keystroke's script work.
  window.addEventListener('input', () => { bench.lastInputDone = performance.now(); });
  // First interactive render: ${FIRST_RENDER_COUNT} server buttons drawn, visible, and able to take focus.
  bench.paintedWhen(() => {
    const buttons = document.querySelectorAll(${JSON.stringify(FIRST_RENDER_SELECTOR)});
    if (buttons.length < ${FIRST_RENDER_COUNT}) return false;
    const last = buttons[${FIRST_RENDER_COUNT} - 1];
    const box = last.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !last.checkVisibility({ visibilityProperty: true })) return false;
    const before = document.activeElement;
    last.focus({ preventScroll: true });
    const focusable = document.activeElement === last;
    last.blur();
    if (before instanceof HTMLElement && before !== document.body) before.focus({ preventScroll: true });
    return focusable;
  }, 60000).then((t) => { bench.firstRender = t; }, () => undefined);
})();`;
