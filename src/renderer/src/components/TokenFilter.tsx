import { useId } from 'react';

// As Number#toLocaleString() formats, made once: toLocaleString builds a formatter per call,
// and this text changes on every keystroke in the filter.
const counts = new Intl.NumberFormat();

/** The search box above a token table: filters by name, case-insensitively, as you type. The
 * count is a polite live region, so a screen reader hears how many tokens match once typing
 * pauses. */
export function TokenFilter({
  query,
  onQueryChange,
  shown,
  total,
  noun,
}: {
  query: string;
  onQueryChange: (query: string) => void;
  shown: number;
  total: number;
  noun: string;
}) {
  const id = useId();
  const plural = `${noun}${total === 1 ? '' : 's'}`;
  // Without a filter, how many there are ("500 tokens").
  let summary = `${counts.format(total)} ${plural}`;
  if (query !== '') summary = shown === 0 ? `No ${noun}s match “${query}”.` : `Showing ${counts.format(shown)} of ${counts.format(total)} ${plural}`;
  return (
    <div className="token-filter">
      <label htmlFor={id} className="visually-hidden">
        Filter tokens
      </label>
      <input
        id={id}
        type="search"
        placeholder="Filter by name"
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => onQueryChange(e.target.value)}
      />
      <span className="muted" role="status">
        {summary}
      </span>
    </div>
  );
}
