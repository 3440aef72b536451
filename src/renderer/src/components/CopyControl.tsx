import { useState } from 'react';
import type { KindDescriptor } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { preferredCopyFormat } from '../../../shared/copyFormat';
import { CopiedNote } from './CopiedNote';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';

/** Copy a secret by id in a chosen format. The copy happens in main; the value never comes
 * here. */
export function CopyControl({ secretId, kind, name }: { secretId: string; kind: KindDescriptor; name: string }) {
  const settings = useKeyport((s) => s.settings);
  const [format, setFormat] = useState(() => preferredCopyFormat(kind, settings));
  const { busy, error, run } = useAction();
  const [copiedUntil, setCopiedUntil] = useState<number | null>(null);
  const copy = async () => {
    const result = await run(() => keyport.call('clipboard.copy', { secretId, format }));
    if (result) setCopiedUntil(result.clearsAt);
  };
  return (
    <span className="copy-control">
      <select aria-label={`Copy format for ${name}`} value={format} onChange={(e) => setFormat(e.target.value)}>
        {kind.copyFormats.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </select>
      <button type="button" onClick={copy} disabled={busy} aria-label={`Copy ${name}`}>
        Copy
      </button>
      {copiedUntil !== null ? <CopiedNote clearsAt={copiedUntil} name={name} /> : null}
      <ErrorMessage error={error} />
    </span>
  );
}
