import { pinSaved } from '../actions/saved';
import { useKeyport } from '../store';
import { savedById } from '../savedIndex';
import { useAction } from './useAction';
import { displayName } from '../../../shared/displayText';

/** Pins a saved token to the tray menu (quick copy without opening Keyport's window). */
export function PinToggle({ secretId, name }: { secretId: string; name: string }) {
  const pinned = useKeyport((s) => savedById(s.saved).get(secretId)?.pinned ?? false);
  const { busy, run } = useAction();
  const toggle = async () => {
    await run(() => pinSaved(secretId, !pinned));
  };
  return (
    <button type="button" className="quiet pin" aria-pressed={pinned} aria-label={`Pin ${displayName(name)} to the tray`} title={pinned ? 'Pinned to the tray menu' : 'Pin to the tray menu'} onClick={toggle} disabled={busy}>
      {pinned ? 'Pinned' : 'Pin'}
    </button>
  );
}
