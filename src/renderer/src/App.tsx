import { useEffect, useState } from 'react';
import { keyport } from './api';
import { ClipboardStatus } from './components/ClipboardStatus';
import { ErrorMessage } from './components/ErrorMessage';
import { ServerDetail } from './components/ServerDetail';
import { ServerFormDialog } from './components/ServerFormDialog';
import { ServerList } from './components/ServerList';
import { SettingsDialog } from './components/SettingsDialog';
import { StorageBanner } from './components/StorageBanner';
import { useKeyport, useSelectedServer } from './store';

export function App() {
  const loaded = useKeyport((s) => s.loaded);
  const loadError = useKeyport((s) => s.loadError);
  const hasServers = useKeyport((s) => s.servers.length > 0);
  const selected = useSelectedServer();
  const [dialog, setDialog] = useState<'add' | 'settings' | null>(null);

  useEffect(() => {
    const { load, setClipboard, refreshServers, loadTokens } = useKeyport.getState();
    void load();
    const offClipboard = keyport.on('clipboard', setClipboard);
    const offServers = keyport.on('servers.changed', ({ serverId }) => {
      void refreshServers();
      void loadTokens(serverId);
    });
    return () => {
      offClipboard();
      offServers();
    };
  }, []);

  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <img src="./keyport.svg" alt="" width={28} height={28} />
          <h1>Keyport</h1>
        </div>
        <button type="button" className="primary wide" onClick={() => setDialog('add')} disabled={!loaded}>
          Add server
        </button>
        <ServerList />
        <div className="sidebar-footer">
          <button type="button" className="quiet" onClick={() => setDialog('settings')} disabled={!loaded}>
            Settings
          </button>
        </div>
      </aside>
      <main className="main">
        <StorageBanner />
        <ErrorMessage error={loadError} />
        {loaded && !hasServers ? (
          <section className="empty-state">
            <h2>Add your first server</h2>
            <p>Keyport keeps the API tokens of your package and compute servers in one place. Add a server, sign in, then create tokens and copy them — in the form your tools expect — to the machines that need them.</p>
            <button type="button" className="primary" onClick={() => setDialog('add')}>
              Add server
            </button>
          </section>
        ) : null}
        {selected ? <ServerDetail key={selected.id} server={selected} /> : null}
      </main>
      <ClipboardStatus />
      {dialog === 'add' ? <ServerFormDialog server={null} onClose={() => setDialog(null)} /> : null}
      {dialog === 'settings' ? <SettingsDialog onClose={() => setDialog(null)} /> : null}
    </div>
  );
}
