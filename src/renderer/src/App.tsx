import { useEffect, useState } from 'react';
import { lockWords } from '../../shared/lockWords';
import { listenToMain, reportActivity } from './actions/events';
import { lock } from './actions/lock';
import { ActivityDialog } from './components/ActivityDialog';
import { ClipboardStatus } from './components/ClipboardStatus';
import { LockScreen } from './components/LockScreen';
import { ErrorMessage } from './components/ErrorMessage';
import { ServerDetail } from './components/ServerDetail';
import { ServerFormDialog } from './components/ServerFormDialog';
import { HomeOverview } from './components/HomeOverview';
import { ImportSessionDialog } from './components/ImportSessionDialog';
import { SearchPalette } from './components/SearchPalette';
import { ServerList } from './components/ServerList';
import { SettingsDialog } from './components/SettingsDialog';
import { StorageBanner } from './components/StorageBanner';
import { UnreadableItemsBanner } from './components/UnreadableItemsBanner';
import { useKeyport, useSelectedServer } from './store';

export function App() {
  const loaded = useKeyport((s) => s.loaded);
  const loadError = useKeyport((s) => s.loadError);
  const hasServers = useKeyport((s) => s.servers.length > 0);
  const selected = useSelectedServer();
  const locked = useKeyport((s) => s.status?.storage.locked ?? false);
  const [dialog, setDialog] = useState<'add' | 'import' | 'settings' | 'activity' | 'search' | null>(null);
  // Narrow windows fold the server list away behind a toggle (wide ones ignore this).
  const [navOpen, setNavOpen] = useState(false);
  const canImport = useKeyport((s) => s.kinds.some((k) => k.sessionFile));
  const theme = useKeyport((s) => s.settings?.theme ?? 'system');
  const lockAction = lockWords(useKeyport((s) => s.status?.lock)).action;

  // The stylesheet's colours are light-dark() pairs; this picks the scheme (or the system's).
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const offMain = listenToMain((command) => {
      if (command === 'overview') useKeyport.getState().select(null);
      else setDialog(command === 'add-server' ? 'add' : command);
    });
    // Only input counts as activity for the idle lock (main ignores every other call). One ping
    // per 10 s keeps even a 1-minute lock from firing under a person who is using Keyport.
    let lastPing = 0;
    const onInput = () => {
      if (Date.now() - lastPing < 10_000 || useKeyport.getState().status?.storage.locked) return;
      lastPing = Date.now();
      void reportActivity();
    };
    window.addEventListener('keydown', onInput, { passive: true });
    // Ctrl+K (Cmd+K on macOS) opens search from anywhere but a dialog already open.
    const onShortcut = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k' && !document.querySelector('dialog[open]')) {
        event.preventDefault();
        setDialog('search');
      }
    };
    window.addEventListener('keydown', onShortcut);
    window.addEventListener('pointerdown', onInput, { passive: true });
    window.addEventListener('wheel', onInput, { passive: true });
    return () => {
      offMain();
      window.removeEventListener('keydown', onInput);
      window.removeEventListener('keydown', onShortcut);
      window.removeEventListener('pointerdown', onInput);
      window.removeEventListener('wheel', onInput);
    };
  }, []);

  // A dialog's close event arrives a moment after Escape; by then a menu command may have opened
  // another dialog, which must stay open.
  const closeDialog = (which: NonNullable<typeof dialog>) => setDialog((current) => (current === which ? null : current));

  // Picking a server or the overview in the folded list shows it, with the list folded again.
  const closeNavOnPick = (event: React.MouseEvent) => {
    if ((event.target as HTMLElement).closest('.server-item, .overview-button')) setNavOpen(false);
  };

  if (locked) return <LockScreen />;

  return (
    <div className={navOpen ? 'app nav-open' : 'app'}>
      <a className="skip-link" href="#main-content">
        Skip to main content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="./keyport.svg" alt="" width={28} height={28} />
          <h1>Keyport</h1>
        </div>
        <button type="button" className="nav-toggle" aria-expanded={navOpen} aria-controls="sidebar-nav" onClick={() => setNavOpen((open) => !open)}>
          Servers
        </button>
        <div id="sidebar-nav" className="sidebar-nav" onClick={closeNavOnPick}>
          <button type="button" className="primary wide" onClick={() => setDialog('add')} disabled={!loaded}>
            Add server
          </button>
          <button type="button" className="wide search-button" onClick={() => setDialog('search')} disabled={!loaded || !hasServers} aria-keyshortcuts="Control+K Meta+K">
            Search… <kbd>{navigator.platform.startsWith('Mac') ? '⌘K' : 'Ctrl+K'}</kbd>
          </button>
          {canImport ? (
            <button type="button" className="wide" onClick={() => setDialog('import')} disabled={!loaded}>
              Import session…
            </button>
          ) : null}
          {hasServers ? (
            <button type="button" className={selected ? 'quiet wide overview-button' : 'quiet wide overview-button selected'} aria-current={selected ? undefined : 'page'} onClick={() => useKeyport.getState().select(null)}>
              Overview
            </button>
          ) : null}
          <ServerList />
        </div>
        <div className="sidebar-footer">
          <button type="button" className="quiet" onClick={() => setDialog('activity')} disabled={!loaded}>
            Activity
          </button>
          <button type="button" className="quiet" onClick={() => setDialog('settings')} disabled={!loaded}>
            Settings
          </button>
          <button type="button" className="quiet" onClick={lock} disabled={!loaded}>
            {lockAction}
          </button>
        </div>
      </aside>
      <main className="main" id="main-content" tabIndex={-1}>
        <StorageBanner />
        <UnreadableItemsBanner />
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
        {selected ? <ServerDetail key={selected.id} server={selected} /> : loaded && hasServers ? <HomeOverview /> : null}
      </main>
      <ClipboardStatus />
      {dialog === 'add' ? <ServerFormDialog server={null} onClose={() => closeDialog('add')} /> : null}
      {dialog === 'import' ? <ImportSessionDialog onClose={() => closeDialog('import')} /> : null}
      {dialog === 'settings' ? <SettingsDialog onClose={() => closeDialog('settings')} /> : null}
      {dialog === 'activity' ? <ActivityDialog onClose={() => closeDialog('activity')} /> : null}
      {dialog === 'search' ? <SearchPalette onClose={() => closeDialog('search')} /> : null}
    </div>
  );
}
