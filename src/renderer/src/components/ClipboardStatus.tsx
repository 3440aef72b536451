import { useEffect, useState } from 'react';
import { displayName } from '../../../shared/displayText';
import type { ClipboardEvent } from '../../../shared/model';
import { useKeyport } from '../store';

/** "name (format)": room for a whole shown name and the format's label. */
const LABEL_LENGTH = 160;

/** "Copied … — clipboard clears in 27 s", counting down; then what happened. The countdown
 * starts from the event's own seconds (never a stale time from the last copy), and screen
 * readers hear each event once: the live region holds a sentence that does not tick. */
export function ClipboardStatus() {
  const event = useKeyport((s) => s.clipboard);
  const setClipboard = useKeyport((s) => s.setClipboard);
  const [tick, setTick] = useState<{ event: ClipboardEvent; now: number } | null>(null);

  useEffect(() => {
    if (event?.state !== 'copied') return;
    const timer = window.setInterval(() => setTick({ event, now: Date.now() }), 250);
    return () => window.clearInterval(timer);
  }, [event]);

  useEffect(() => {
    if (!event || event.state === 'copied') return;
    const timer = window.setTimeout(() => setClipboard(null), 4000);
    return () => window.clearTimeout(timer);
  }, [event, setClipboard]);

  let text = '';
  let announced = '';
  if (!event) {
    // The live region stays in the page, empty, so the next copy is announced.
  } else if (event.state === 'copied') {
    const left = tick?.event === event ? Math.max(0, Math.ceil((event.clearsAt - tick.now) / 1000)) : event.seconds;
    text = `Copied ${displayName(event.label, LABEL_LENGTH)}. Clipboard clears in ${left} s.`;
    announced = `Copied ${displayName(event.label, LABEL_LENGTH)}. Clipboard clears in ${event.seconds} s.`;
  } else if (event.state === 'cleared') {
    text = announced = 'Clipboard cleared.';
  } else {
    text = announced = 'Clipboard left as is: it no longer holds the token.';
  }
  return (
    <div className="toast-region">
      <span className="visually-hidden" role="status" aria-live="polite">
        {announced}
      </span>
      {text ? (
        <div className="toast" aria-hidden="true">
          {text}
        </div>
      ) : null}
    </div>
  );
}
