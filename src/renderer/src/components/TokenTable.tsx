import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { measureElement, useWindowVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import type { KindDescriptor, ServerView, TokenView } from '../../../shared/model';
import { withdrawDelivery } from '../actions/delivery';
import { cancelSignIn } from '../actions/signIn';
import { revokeToken } from '../actions/tokens';
import { useKeyport, useReminderDays } from '../store';
import { expiresSoon } from '../../../shared/expiresSoon';
import { AccountPasswordForm, needsAccountPassword } from './AccountPasswordForm';
import { ChangePasswordField } from './ChangePasswordField';
import { ConfirmDialog } from './ConfirmDialog';
import { UnusedOwnTokens } from './UnusedOwnTokens';
import { CopyControl } from './CopyControl';
import { DeliveryDialog } from './DeliveryDialog';
import { PinToggle } from './PinToggle';
import { WithdrawOption } from './WithdrawOption';
import { ErrorMessage } from './ErrorMessage';
import { OtpField, useOtpPrompt } from './OtpPrompt';
import { TimeText } from './TimeText';
import { TokenFilter } from './TokenFilter';
import { nextSort, sortTokens, type SortKey, type SortOrder } from './tokenSort';
import { useNow } from './useNow';
import { nounInSentence, shortTokenNoun } from './tokenNoun';
import { useAction } from './useAction';
import { ServerText } from './ServerText';
import { displayName, visibleText } from '../../../shared/displayText';


/** Token names that contain `query`, ignoring case. `lowerNames[i]` is `items[i].name` in lower
 * case, computed once per list rather than once per keystroke. */
export function filterTokens(items: readonly TokenView[], lowerNames: readonly string[], query: string): readonly TokenView[] {
  if (query === '') return items;
  const needle = query.toLowerCase();
  return items.filter((_, i) => lowerNames[i]?.includes(needle));
}

/** The account's tokens, with the columns the kind has, and a filter by name above them. */
export function TokenTable({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const state = useKeyport((s) => s.tokens[server.id]);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const [query, setQuery] = useState('');
  const [password, setPassword] = useState('');
  const otp = useOtpPrompt();
  const [withdraw, setWithdraw] = useState(true);
  const askPassword = needsAccountPassword(server, kind);
  const revoke = useAction();
  const items = state?.items ?? NO_TOKENS;
  const lowerNames = useMemo(() => items.map((t) => t.name.toLowerCase()), [items]);
  const [order, setOrder] = useState<SortOrder | null>(null);
  const sorted = useMemo(() => sortTokens(items, order), [items, order]);
  const sortedLowerNames = useMemo(() => (sorted === items ? lowerNames : sorted.map((t) => t.name.toLowerCase())), [sorted, items, lowerNames]);
  const rows = useMemo(() => filterTokens(sorted, sortedLowerNames, query), [sorted, sortedLowerNames, query]);

  const closeRevoke = () => {
    // While a confirmation in the browser is awaited (npm's web-based OTP), Cancel ends it first.
    if (revoke.busy) {
      void cancelSignIn(server.id);
      return;
    }
    setRevoking(null);
    setPassword('');
    otp.reset();
    revoke.setError(null);
  };
  const confirmRevoke = async () => {
    if (!revoking) return;
    const given = askPassword ? password : undefined;
    const savedId = revoking.savedSecretId;
    const result = await revoke.run(async () => {
      // Removed from its machines first: the revoke forgets the saved token and its targets.
      if (withdraw && savedId) await withdrawDelivery(savedId);
      return otp.withOtp((code) =>
        revokeToken({
          serverId: server.id,
          tokenId: revoking.id,
          ...(given === undefined ? {} : { password: given }),
          ...(code === undefined ? {} : { otp: code }),
        }),
      );
    });
    if (result) closeRevoke();
  };

  if (!state || (state.status === 'loading' && state.items.length === 0)) {
    return (
      <p className="muted" role="status">
        Loading {nounInSentence(kind.tokenNoun)}s…
      </p>
    );
  }
  return (
    <>
      {state.error?.code === 'PASSWORD_REQUIRED' ? <AccountPasswordForm server={server} kind={kind} reason={state.error.message} /> : <ErrorMessage error={state.error} />}
      {state.items.length === 0 && state.status === 'ready' ? (
        <p className="empty">No {nounInSentence(kind.tokenNoun)}s yet. Create one for each machine or script that needs access.</p>
      ) : null}
      {state.items.length > 0 ? (
        <>
          <TokenFilter query={query} onQueryChange={setQuery} shown={rows.length} total={items.length} noun={kind.tokenNoun} />
          {rows.length > 0 ? <VirtualTokenRows rows={rows} server={server} kind={kind} query={query} order={order} onSort={(key) => setOrder((current) => nextSort(current, key))} onRevoke={setRevoking} /> : null}
          <UnusedOwnTokens server={server} kind={kind} items={items} />
        </>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`${kind.revokeVerb} “${displayName(revoking.name)}”?`}
          message={
            `Scripts and machines that use “${displayName(revoking.name)}” will lose access to ${server.name}. This cannot be undone.` +
            (revoking.usedBySession ? ` Keyport’s own session uses this ${nounInSentence(kind.tokenNoun)}: you will be signed out of ${server.name}.` : '')
          }
          confirmLabel={`${kind.revokeVerb} ${shortTokenNoun(kind)}`}
          busy={revoke.busy}
          error={revoke.error}
          onConfirm={confirmRevoke}
          onClose={closeRevoke}
        >
          {revoking.savedSecretId ? <WithdrawOption secretId={revoking.savedSecretId} checked={withdraw} onChange={setWithdraw} /> : null}
          {askPassword ? (
            <ChangePasswordField value={password} onChange={setPassword} error={revoke.error} />
          ) : null}
          <OtpField prompt={otp} what="revoke a token" error={revoke.error} />
        </ConfirmDialog>
      ) : null}
    </>
  );
}

const NO_TOKENS: TokenView[] = [];
/** A row with a copy control is about this tall, until one is measured. */
const ROW_ESTIMATE = 51;
/** Rows drawn above and below the visible ones, so scrolling and keyboard focus moving between
 * rows rarely meet an empty area. Each costs time on every keystroke in the filter. */
const OVERSCAN = 5;


/** The table, virtualized: only the rows in view (plus a margin) are in the DOM, with spacer
 * rows standing in for the rest, so 10,000 tokens scroll and filter as fast as 10. The page
 * itself scrolls (one scroll container, the header row sticks to the top of the window); the
 * table's columns keep their set widths (layout.css) whichever rows are drawn. It stays a
 * real table for assistive technology: aria-rowcount gives the full count and each row its
 * aria-rowindex (the header row is 1). */
function VirtualTokenRows({
  rows,
  server,
  kind,
  query,
  order,
  onSort,
  onRevoke,
}: {
  rows: readonly TokenView[];
  server: ServerView;
  kind: KindDescriptor;
  query: string;
  order: SortOrder | null;
  onSort: (key: SortKey) => void;
  onRevoke: (token: TokenView) => void;
}) {
  // Relative times ("2 minutes ago") move on once a minute.
  const now = useNow(60_000);
  const reminderDays = useReminderDays();
  const sortable = (key: SortKey, label: string, className: string) => (
    <th scope="col" className={className} aria-sort={order?.key === key ? order.direction : undefined}>
      <button type="button" className="sort-button" onClick={() => onSort(key)}>
        {label}
        <span aria-hidden="true" className="sort-arrow">
          {order?.key === key ? (order.direction === 'ascending' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
  const cols = kind.tokenColumns;
  const columnCount = 3 + Number(cols.created) + Number(cols.lastUsed) + Number(cols.expires) + Number(cols.scopes) + kind.extraColumns.length;
  const tableRef = useRef<HTMLDivElement>(null);
  // Where the table starts in the page: the rows' positions are counted from there. Measured
  // again whenever the page's size changes, since what is above it (an error, a note) moves it.
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    const measure = () => {
      const area = tableRef.current;
      if (area) setScrollMargin(Math.round(area.getBoundingClientRect().top + window.scrollY));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);
  // A stable key function: the virtualizer recomputes every row's position when it changes.
  const itemKey = useCallback((index: number) => rows[index]?.id ?? index, [rows]);
  // Rows not drawn yet are estimated at the height of the last one measured. Rows are nearly
  // all alike, so a newly drawn row rarely differs from its estimate, and the virtualizer does
  // not recompute every row's position after each one is measured (with 10,000 rows that
  // storm costs a frame when a filter brings a screenful of new rows).
  const lastHeight = useRef(ROW_ESTIMATE);
  const estimateSize = useCallback(() => lastHeight.current, []);
  // A row just drawn is not measured at once (its offsetHeight would force a layout in the
  // middle of React's commit, one per keystroke that brings new rows): it keeps the estimate
  // until the ResizeObserver, which reports every newly observed row after layout and before
  // paint, gives its real height.
  const measureRow = useCallback((row: HTMLTableRowElement, entry: ResizeObserverEntry | undefined, instance: Virtualizer<Window, HTMLTableRowElement>) => {
    if (!entry) return lastHeight.current;
    const height = measureElement(row, entry, instance);
    if (height > 0) lastHeight.current = height;
    return height;
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize,
    measureElement: measureRow,
    overscan: OVERSCAN,
    getItemKey: itemKey,
    scrollMargin,
    initialRect: { width: 0, height: 720 },
  });
  // A new filter or order starts at the top of the list, not at a scroll offset past its end.
  // From the positions already known (the virtualizer follows the page's scroll events): asking
  // the page for them here would force a layout in the middle of every keystroke's commit.
  useLayoutEffect(() => {
    const top = virtualizer.options.scrollMargin;
    if ((virtualizer.scrollOffset ?? 0) > top) window.scrollTo({ top });
  }, [query, order, virtualizer]);
  const visible = virtualizer.getVirtualItems();
  const first = visible[0];
  const last = visible[visible.length - 1];
  // Item positions include the margin; the total size does not.
  const padTop = first ? first.start - scrollMargin : 0;
  const padBottom = last ? virtualizer.getTotalSize() - (last.end - scrollMargin) : 0;

  // The spacers' heights are set through the CSSOM (the CSP allows that, unlike style attributes
  // in markup); the rest of the table's layout is in layout.css.
  return (
    <div ref={tableRef} className="token-scroll">
      <table className="tokens" aria-label={`${kind.tokenNoun}s on ${server.name}`} aria-rowcount={rows.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            {sortable('name', 'Name', 'col-name')}
            {kind.extraColumns.map((c) => (
              <th key={c.id} scope="col" className="col-extra">
                {c.label}
              </th>
            ))}
            {cols.created ? sortable('created', 'Created', 'col-time col-created') : null}
            {cols.lastUsed ? sortable('lastUsed', 'Last used', 'col-time col-lastused') : null}
            {cols.expires ? sortable('expires', 'Expires', 'col-time col-expires') : null}
            {cols.scopes ? (
              <th scope="col" className="col-scopes">
                Scopes
              </th>
            ) : null}
            <th scope="col" className="col-copy">
              Saved copy
            </th>
            <th scope="col" className="col-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {padTop > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={columnCount} className="spacer" style={{ height: padTop }} />
            </tr>
          ) : null}
          {visible.map((item) => {
            const token = rows[item.index];
            return token ? (
              <TokenRow key={item.key} token={token} index={item.index} kind={kind} now={now} reminderDays={reminderDays} measure={virtualizer.measureElement} onRevoke={onRevoke} />
            ) : null;
          })}
          {padBottom > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={columnCount} className="spacer" style={{ height: padBottom }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

/** One token. Memoized: while filtering, the rows that stay in view are not drawn again. */
const TokenRow = memo(function TokenRow({
  token: t,
  index,
  kind,
  now,
  reminderDays,
  measure,
  onRevoke,
}: {
  token: TokenView;
  index: number;
  kind: KindDescriptor;
  now: number;
  reminderDays: readonly number[];
  measure: (row: HTMLTableRowElement | null) => void;
  onRevoke: (token: TokenView) => void;
}) {
  const cols = kind.tokenColumns;
  const [delivering, setDelivering] = useState(false);
  return (
    <tr data-index={index} ref={measure} aria-rowindex={index + 2}>
      <th scope="row" className="token-name">
        <span className="truncate" title={visibleText(t.name)}>
          <ServerText text={t.name} />
        </span>
        {t.usedBySession ? <span className="badge">Keyport’s session</span> : null}
      </th>
      {kind.extraColumns.map((c) => (
        <td key={c.id} className={c.id === 'key' ? 'mono col-extra' : 'col-extra'}>
          {t.extra[c.id] ? <ServerText text={t.extra[c.id]!} /> : <span className="muted">—</span>}
        </td>
      ))}
      {cols.created ? (
        <td className="col-created">
          <TimeText at={t.createdAt} now={now} />
        </td>
      ) : null}
      {cols.lastUsed ? (
        <td className="col-lastused">
          <TimeText at={t.lastUsedAt} now={now} empty="Never" />
        </td>
      ) : null}
      {cols.expires ? (
        <td className="col-expires">
          <TimeText at={t.expiresAt} now={now} empty="Never" />
          {t.expiresAt && expiresSoon(Date.parse(t.expiresAt), now, reminderDays) ? (
            <>
              {' '}
              <span className="badge warning-badge">Expires soon</span>
            </>
          ) : null}
        </td>
      ) : null}
      {cols.scopes ? <td className="scopes col-scopes">{t.scopes?.length ? <ServerText text={t.scopes.join(' ')} max={500} /> : <span className="muted">—</span>}</td> : null}
      <td className="col-copy">
        {t.savedSecretId ? (
          <span className="copy-cell">
            <CopyControl secretId={t.savedSecretId} kind={kind} name={t.name} /> <PinToggle secretId={t.savedSecretId} name={t.name} />{' '}
            <button type="button" className="quiet" onClick={() => setDelivering(true)} aria-label={`Machines… for ${displayName(t.name)}`}>
              Machines…
            </button>
            {delivering ? <DeliveryDialog secretId={t.savedSecretId} name={t.name} kindIsNpm={kind.copyFormats.some((f) => f.id === 'npmrc')} canRotate={kind.tokenList !== false} sessionFile={kind.sessionFile?.holdsSavedTokens ? kind.sessionFile : null} onClose={() => setDelivering(false)} /> : null}
          </span>
        ) : (
          <span className="muted">Not saved</span>
        )}
      </td>
      <td className="row-actions col-actions">
        <button type="button" className="danger-quiet" onClick={() => onRevoke(t)} aria-label={`${kind.revokeVerb} ${displayName(t.name)}`}>
          {kind.revokeVerb}
        </button>
      </td>
    </tr>
  );
});
