import type { ReactNode } from 'react';

/** A JSON value, pretty-printed; `null` and absent values say so. */
export function Json({ title, value }: { title: string; value: unknown }) {
  return (
    <section className="json">
      <h3>{title}</h3>
      {value === null || value === undefined ? (
        <p className="empty">none</p>
      ) : (
        <pre>{JSON.stringify(value, null, 2)}</pre>
      )}
    </section>
  );
}

/** Label and value pairs; a missing value (null, undefined or false) shows as a dash. */
export function Facts({ facts }: { facts: Array<[string, ReactNode]> }) {
  return (
    <dl className="facts">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value === null || value === undefined || value === false ? '—' : value}</dd>
        </div>
      ))}
    </dl>
  );
}
