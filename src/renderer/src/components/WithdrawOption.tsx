import { useEffect, useState } from 'react';
import { deliveryTargets } from '../actions/delivery';

/** In the revoke confirmation of a saved token that was delivered to machines: offers to remove
 * it from their files first (a revoked token left there only fails later, less clearly). */
export function WithdrawOption({ secretId, checked, onChange }: { secretId: string; checked: boolean; onChange(checked: boolean): void }) {
  const [count, setCount] = useState(0);
  useEffect(() => {
    void deliveryTargets(secretId).then((targets) => setCount(targets.length));
  }, [secretId]);
  if (count === 0) return null;
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>Also remove it from the {count === 1 ? 'machine' : `${count} machines`} it was sent to</span>
    </label>
  );
}
