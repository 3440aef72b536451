import { clearClipboard } from '../actions/clipboard';
import { useKeyport } from '../store';
import { useNow } from './useNow';

/** Beside the Copy button that made the copy: "Copied — clears in 30 s" and "Clear now",
 * while this copy is the one on the clipboard (the toast says what happened after). */
export function CopiedNote({ clearsAt, name }: { clearsAt: number; name: string }) {
  const now = useNow(1000);
  const current = useKeyport((s) => s.clipboard?.state === 'copied' && s.clipboard.clearsAt === clearsAt);
  if (!current) return null;
  const left = Math.max(0, Math.ceil((clearsAt - now) / 1000));
  return (
    <span className="copied-note">
      <span aria-hidden="true">Copied — clears in {left} s</span>
      <button type="button" className="link" onClick={() => void clearClipboard()} aria-label={`Clear now: the clipboard holds ${name}`}>
        Clear now
      </button>
    </span>
  );
}
