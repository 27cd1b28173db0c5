import { useConnection } from '../connection';

/** Where the gateway is and the keys to send it; they stay in this tab and go only there. */
export function KeysPanel({ onClose }: { onClose: () => void }) {
  const { connection, setConnection } = useConnection();
  return (
    <form
      className="keys"
      aria-label="Gateway and keys"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const field = (name: string) => String(form.get(name)).trim();
        setConnection({
          gatewayUrl: field('gatewayUrl').replace(/\/+$/, ''),
          falKey: field('falKey'),
          difyKey: field('difyKey'),
        });
        onClose();
      }}
    >
      <label>
        Gateway URL
        <input name="gatewayUrl" type="url" required defaultValue={connection.gatewayUrl} />
      </label>
      <label>
        fal key
        <input
          name="falKey"
          type="password"
          autoComplete="off"
          placeholder="key id:secret"
          defaultValue={connection.falKey}
        />
        <small>sent as X-Fal-Authorization: Key …</small>
      </label>
      <label>
        Dify app key
        <input
          name="difyKey"
          type="password"
          autoComplete="off"
          placeholder="app-…"
          defaultValue={connection.difyKey}
        />
        <small>sent as X-Dify-Authorization: Bearer …</small>
      </label>
      <p className="hint">
        Kept in this tab’s session storage, and sent to the gateway alone. Leave a key empty to
        leave its source out.
      </p>
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Use these
        </button>
      </div>
    </form>
  );
}
