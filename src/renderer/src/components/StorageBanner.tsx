import { useKeyport } from '../store';

/** Says plainly when secrets cannot be protected at rest (ARCHITECTURE.md, "Secrets"). */
export function StorageBanner() {
  const storage = useKeyport((s) => s.status?.storage);
  if (!storage || storage.persistent) return null;
  return (
    <div className="banner" role="alert">
      <strong>Secrets are not saved on this computer.</strong> {storage.reason} Sessions last until you quit, and tokens cannot be saved in Keyport.
    </div>
  );
}
