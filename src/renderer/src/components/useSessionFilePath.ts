import { useEffect, useState } from 'react';
import { locateSessionFile } from '../actions/sessionFiles';

/** The usual path of a kind's session file (from the CLI's environment variables), as an
 * editable default. */
export function useSessionFilePath(kind: string | undefined): [string, (path: string) => void] {
  const [path, setPath] = useState('');
  useEffect(() => {
    let live = true;
    if (kind) {
      locateSessionFile(kind)
        .then((found) => live && setPath(found.path))
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
  }, [kind]);
  return [path, setPath];
}
