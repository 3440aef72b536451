import { useState } from 'react';
import type { KindDescriptor } from '../../../shared/model';
import { copySecret } from '../actions/clipboard';
import { useKeyport } from '../store';
import { preferredCopyFormat } from '../../../shared/copyFormat';
import { CopiedNote } from './CopiedNote';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';
import { displayName } from '../../../shared/displayText';

/** Copy a secret by id in a chosen format. The copy happens in main; the value never comes
 * here. */
export function CopyControl({ secretId, kind, name, onCopied }: { secretId: string; kind: KindDescriptor; name: string; onCopied?: () => void }) {
  const settings = useKeyport((s) => s.settings);
  const [format, setFormat] = useState(() => preferredCopyFormat(kind, settings));
  const { busy, error, run } = useAction();
  const [copiedUntil, setCopiedUntil] = useState<number | null>(null);
  const copy = async () => {
    const result = await run(() => copySecret(secretId, format));
    if (!result) return;
    setCopiedUntil(result.clearsAt);
    onCopied?.();
  };
  return (
    <span className="copy-control">
      <select aria-label={`Copy format for ${displayName(name)}`} value={format} onChange={(e) => setFormat(e.target.value)}>
        {kind.copyFormats.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        onClick={() => void copy()}
        disabled={busy}
        aria-label={`Copy ${displayName(name)}`}
      >
        Copy
      </button>
      {copiedUntil !== null ? <CopiedNote clearsAt={copiedUntil} name={name} /> : null}
      <ErrorMessage error={error} />
    </span>
  );
}
