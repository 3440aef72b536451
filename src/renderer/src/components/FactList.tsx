/** Label–value pairs as a description list (discovery facts, ID token claims). Values wrap
 * anywhere: they are URLs and tokens' claims, often without spaces. */
export function FactList({ facts, label }: { facts: ReadonlyArray<{ label: string; value: string }>; label: string }) {
  return (
    <dl className="facts" aria-label={label}>
      {facts.map((f) => (
        <div key={f.label} className="fact">
          <dt>{f.label}</dt>
          <dd>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}
