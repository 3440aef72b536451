import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { copySecret } from '../actions/clipboard';
import { useKeyport } from '../store';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { preferredCopyFormat } from '../../../shared/copyFormat';
import { search, type SearchResult } from './searchIndex';
import { useAction } from './useAction';
import { ServerText } from './ServerText';

/** Ctrl/Cmd+K: find a server or token by name, kind or user, and act on it from the keyboard:
 * Enter opens a server, copies a saved token (in its kind's usual format), or opens the server
 * of a token Keyport does not hold. A combobox with a listbox (WAI-ARIA APG): focus stays in the
 * input, arrows move the active option. */
export function SearchPalette({ onClose }: { onClose(): void }) {
  const servers = useKeyport((s) => s.servers);
  const kinds = useKeyport((s) => s.kinds);
  const saved = useKeyport((s) => s.saved);
  const tokens = useKeyport((s) => s.tokens);
  const select = useKeyport((s) => s.select);
  const settings = useKeyport((s) => s.settings);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const { busy, error, run } = useAction();
  const listId = useId();
  const results = useMemo(() => search(query, { servers, kinds, saved, tokens }), [query, servers, kinds, saved, tokens]);
  const activeIndex = Math.min(active, Math.max(results.length - 1, 0));
  const optionId = (index: number) => `${listId}-option-${index}`;

  const open = (result: SearchResult) => {
    select(result.server.id);
    onClose();
  };
  const copy = async (result: Extract<SearchResult, { type: 'saved' }>) => {
    const kind = kinds.find((k) => k.kind === result.server.kind);
    if (!kind) return;
    const copied = await run(() => copySecret(result.secretId, preferredCopyFormat(kind, settings)));
    if (copied) onClose();
  };
  const act = (result: SearchResult | undefined) => {
    if (!result) return;
    if (result.type === 'saved') void copy(result);
    else open(result);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in moves && results.length > 0) {
      event.preventDefault();
      setActive(Math.max(0, Math.min(results.length - 1, activeIndex + (moves[event.key] ?? 0))));
    } else if (event.key === 'Home' && event.ctrlKey) {
      setActive(0);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      act(results[activeIndex]);
    }
  };

  return (
    <Dialog title="Search" onClose={onClose}>
      <input
        className="search-input"
        // Not type="search": its Escape clears the text instead of closing the palette.
        type="text"
        role="combobox"
        aria-label="Search servers and tokens"
        aria-expanded={results.length > 0}
        aria-controls={listId}
        aria-activedescendant={results.length > 0 ? optionId(activeIndex) : undefined}
        aria-autocomplete="list"
        placeholder="Server, kind, user or token name"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        autoFocus
      />
      <ul id={listId} role="listbox" aria-label="Results" className="search-results">
        {results.map((result, index) => (
          // The input keeps focus and handles the keys; a click acts like Enter.
          <li
            key={result.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === activeIndex}
            className={index === activeIndex ? 'active' : undefined}
            onClick={() => act(result)}
            onMouseMove={() => setActive(index)}
          >
            <span className="search-title">
              <ServerText text={result.title} />
            </span>
            <span className="muted">
              <ServerText text={result.detail} />
              {result.type === 'saved' ? ` · Enter copies as ${copyFormatLabel(kinds.find((k) => k.kind === result.server.kind), settings)}` : null}
            </span>
          </li>
        ))}
      </ul>
      {results.length === 0 ? <p role="status">No server or token matches “{query}”.</p> : null}
      <ErrorMessage error={error} />
      <p className="muted search-help">↑ ↓ to choose, Enter to open or copy, Esc to close.{busy ? ' Copying…' : ''}</p>
    </Dialog>
  );
}

/** The name of the format Enter copies a saved token in ("Shell (export)"). */
function copyFormatLabel(kind: Parameters<typeof preferredCopyFormat>[0] | undefined, settings: Parameters<typeof preferredCopyFormat>[1]): string {
  if (!kind) return 'its usual format';
  const id = preferredCopyFormat(kind, settings);
  return kind.copyFormats.find((f) => f.id === id)?.label ?? id;
}
