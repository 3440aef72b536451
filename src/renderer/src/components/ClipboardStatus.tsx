import { useEffect, useState } from 'react';
import { displayName } from '../../../shared/displayText';
import { useKeyport } from '../store';

/** "name (format)": room for a whole shown name and the format's label. */
const LABEL_LENGTH = 160;

/** "Copied … — clipboard clears in 27 s", counting down; then what happened. */
export function ClipboardStatus() {
  const event = useKeyport((s) => s.clipboard);
  const setClipboard = useKeyport((s) => s.setClipboard);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (event?.state !== 'copied') return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [event]);

  useEffect(() => {
    if (!event || event.state === 'copied') return;
    const timer = window.setTimeout(() => setClipboard(null), 4000);
    return () => window.clearTimeout(timer);
  }, [event, setClipboard]);

  if (!event) return <div className="toast-region" role="status" aria-live="polite" />;
  let text: string;
  if (event.state === 'copied') {
    const left = Math.max(0, Math.ceil((event.clearsAt - now) / 1000));
    text = `Copied ${displayName(event.label, LABEL_LENGTH)}. Clipboard clears in ${left} s.`;
  } else if (event.state === 'cleared') {
    text = 'Clipboard cleared.';
  } else {
    text = 'Clipboard left as is: it no longer holds the token.';
  }
  return (
    <div className="toast-region" role="status" aria-live="polite">
      <div className="toast">{text}</div>
    </div>
  );
}
