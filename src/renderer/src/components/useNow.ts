import { useEffect, useState } from 'react';

/** The current time, updated every `intervalMs`: for texts that count down ("in 40 s", "in 5
 * days"), read in render without calling Date.now() there. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
