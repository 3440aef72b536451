import { useEffect, useState } from 'react';
import { keyport } from '../api';

/** The usual path of a kind's session file (from the CLI's environment variables), as an
 * editable default. */
export function useSessionFilePath(kind: string | undefined): [string, (path: string) => void] {
  const [path, setPath] = useState('');
  useEffect(() => {
    let live = true;
    if (kind) {
      keyport
        .call('sessionFiles.locate', { kind })
        .then((found) => live && setPath(found.path))
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
  }, [kind]);
  return [path, setPath];
}
