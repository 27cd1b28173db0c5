import type { InputHTMLAttributes } from 'react';
import { LEVELS, WINDOWS, type Filters, type WindowName } from '../filters';
import { SOURCE_LABELS, SOURCES } from '../sources';

/** A text box that applies its value on Enter or when it loses focus, not at each keystroke. */
function TextFilter({
  value,
  onCommit,
  ...input
}: { value: string; onCommit: (value: string) => void } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <input
      {...input}
      key={value}
      defaultValue={value}
      onBlur={(event) => event.target.value !== value && onCommit(event.target.value.trim())}
      onKeyDown={(event) => event.key === 'Enter' && event.currentTarget.blur()}
    />
  );
}

/** The sources, apps, minimum level and search of Live and History; History adds its window. */
export function FilterBar({
  filters,
  onChange,
  withWindow = false,
}: {
  filters: Filters;
  onChange: (change: Partial<Filters>) => void;
  withWindow?: boolean;
}) {
  const { sources, apps, minLevel, search, window } = filters;
  return (
    <form className="filters" onSubmit={(event) => event.preventDefault()}>
      <fieldset className="sources">
        <legend>Sources</legend>
        {SOURCES.map((source) => (
          <label key={source} className={`toggle source-${source}`}>
            <input
              type="checkbox"
              checked={sources.includes(source)}
              onChange={(event) =>
                onChange({
                  sources: event.target.checked
                    ? [...sources, source]
                    : sources.filter((each) => each !== source),
                })
              }
            />
            {SOURCE_LABELS[source]}s
          </label>
        ))}
      </fieldset>
      <label>
        Apps
        <TextFilter
          value={apps.join(', ')}
          placeholder="owner/name, … (fal requests need one)"
          onCommit={(value) =>
            onChange({
              apps: value
                .split(',')
                .map((app) => app.trim())
                .filter(Boolean),
            })
          }
        />
      </label>
      <label>
        Min level
        <select
          value={minLevel ?? ''}
          onChange={(event) =>
            onChange({ minLevel: LEVELS.find((level) => level === event.target.value) })
          }
        >
          <option value="">any</option>
          {LEVELS.map((level) => (
            <option key={level}>{level}</option>
          ))}
        </select>
      </label>
      <label>
        Search
        <TextFilter
          type="search"
          value={search}
          placeholder="in log lines and Dify runs"
          onCommit={(value) => onChange({ search: value })}
        />
      </label>
      {withWindow && (
        <label>
          Window
          <select
            value={window}
            onChange={(event) => onChange({ window: event.target.value as WindowName })}
          >
            {Object.keys(WINDOWS).map((name) => (
              <option key={name} value={name}>
                last {name}
              </option>
            ))}
          </select>
        </label>
      )}
    </form>
  );
}
