// API apps and keys (admin): list, create (the secret is shown once, here, and never again),
// revoke.
import { useState, type FormEvent } from 'react';
import { api, type ODataList } from '../../api/client';
import { useApi } from '../../api/useApi';
import { useSession } from '../../auth/session';
import { StatusBadge } from '../../components/Badges';
import { DataTable, type Column } from '../../components/DataTable';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { NotAvailable, isNotFound } from '../devices/common';
import { Dialog, DialogButtons } from '../../components/Dialog';
import { APP_ROLES, ROLE_HELP, createAppBody, type ApiApp, type CreatedApp } from './settingsModel';
import { useSubmit } from '../../components/useSubmit';

export function AppsTab() {
  const { can } = useSession();
  if (!can('admin')) {
    return <Empty>Only admins can see and manage API apps and keys.</Empty>;
  }
  return <AppsAdmin />;
}

function AppsAdmin() {
  const loaded = useApi<ODataList<ApiApp>>('/api/settings/apps');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ app: CreatedApp; name: string; kind: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiApp | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);

  if (loaded.error && isNotFound(loaded.error)) return <NotAvailable what="API app management" />;

  const all = loaded.data?.value ?? [];
  const rows = showRevoked ? all : all.filter((a) => !a.revoked);
  const columns: Column<ApiApp>[] = [
    { key: 'name', header: 'Name', render: (a) => <span className="ent-strong">{a.name}</span>, sortValue: (a) => a.name },
    { key: 'kind', header: 'Kind', render: (a) => (a.kind === 'key' ? 'API key' : 'App (client credentials)'), sortValue: (a) => a.kind },
    { key: 'role', header: 'Role', render: (a) => a.role, sortValue: (a) => a.role },
    { key: 'source', header: 'Ingest source', render: (a) => a.source || <span className="muted">—</span> },
    { key: 'id', header: 'Client / key ID', render: (a) => <span className="mono small">{a.id}</span> },
    { key: 'created', header: 'Created', render: (a) => <span className="ent-nowrap"><Time value={a.createdTime} /></span>, sortValue: (a) => a.createdTime },
    { key: 'state', header: 'State', render: (a) => <StatusBadge status={a.revoked ? 'Revoked' : 'Active'} />, sortValue: (a) => (a.revoked ? 1 : 0) },
    {
      key: 'revoke',
      header: '',
      render: (a) =>
        a.revoked ? null : (
          <button type="button" className="btn btn-small btn-danger" onClick={() => setRevoking(a)} aria-label={`Revoke ${a.name}`}>
            Revoke
          </button>
        ),
    },
  ];

  return (
    <div className="ent-settings">
      <p className="muted">
        Credentials for scripts, SIEM connectors and sensors. Apps sign in with a client ID and secret (OAuth client
        credentials); API keys are sent as a bearer token. Secrets are shown once, when created.
      </p>
      {created && <SecretOnce created={created} onDismiss={() => setCreated(null)} />}
      <div className="filters">
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          Create app or key
        </button>
        <label className="ent-check">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
          Show revoked
        </label>
      </div>
      {loaded.error ? (
        <ErrorState error={loaded.error} onRetry={loaded.reload} />
      ) : !loaded.data ? (
        <Loading what="Loading API apps" />
      ) : rows.length === 0 ? (
        <Empty>{all.length ? 'Every app and key is revoked.' : 'No API apps or keys yet.'}</Empty>
      ) : (
        <DataTable rows={rows} columns={columns} rowKey={(a) => a.id} label="API apps and keys" />
      )}
      {creating && (
        <CreateDialog
          onClose={() => setCreating(false)}
          onCreated={(app, name, kind) => {
            setCreating(false);
            setCreated({ app, name, kind });
            loaded.reload();
          }}
        />
      )}
      {revoking && (
        <RevokeDialog
          app={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            loaded.reload();
          }}
        />
      )}
    </div>
  );
}

function CreateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (app: CreatedApp, name: string, kind: string) => void }) {
  const [form, setForm] = useState({ kind: 'app', name: '', role: 'viewer', source: '' });
  const { busy, error, setError, run } = useSubmit();
  const roles = form.kind === 'key' ? [...APP_ROLES, 'ingest'] : APP_ROLES;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form.name.trim()) {
      setError('A name is required.');
      return;
    }
    await run(async () => {
      const app = await api.post<CreatedApp>('/api/settings/apps', createAppBody(form));
      onCreated(app, form.name.trim(), form.kind);
    });
  };

  return (
    <Dialog title="Create an API app or key" onClose={onClose}>
      <form className="modal-form" onSubmit={submit}>
        <fieldset className="ent-radios">
          <legend>Kind</legend>
          <label className="ent-check">
            <input type="radio" name="kind" value="app" checked={form.kind === 'app'} onChange={() => setForm({ ...form, kind: 'app', role: form.role === 'ingest' ? 'viewer' : form.role })} />
            App: client ID and secret (OAuth client credentials)
          </label>
          <label className="ent-check">
            <input type="radio" name="kind" value="key" checked={form.kind === 'key'} onChange={() => setForm({ ...form, kind: 'key' })} />
            API key: one bearer token
          </label>
        </fieldset>
        <label>
          Name
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="e.g. SIEM export" />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <span className="muted small">{ROLE_HELP[form.role]}</span>
        </label>
        {form.role === 'ingest' && (
          <label>
            Ingest source
            <input value={form.source} onChange={(e) => setForm({ ...form, source: e.target.value })} placeholder="defaults to the name" />
            <span className="muted small">Events sent with this key are counted under this source.</span>
          </label>
        )}
        <DialogButtons confirm="Create" busyLabel="Creating…" busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <div className="ent-copy">
      <span className="muted small">{label}</span>
      <div className="row">
        <code className="ent-secret" aria-label={label}>
          {value}
        </code>
        <button type="button" className="btn btn-small" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        {copied === 'no' && <span className="small form-error">Copy failed: select the text and copy it.</span>}
      </div>
    </div>
  );
}

// The new credential, kept only in this component's state: once dismissed it is gone.
function SecretOnce({ created, onDismiss }: { created: { app: CreatedApp; name: string; kind: string }; onDismiss: () => void }) {
  const { app, name } = created;
  return (
    <section className="panel ent-secret-panel" role="alert" aria-label="New credential">
      <h3>“{name}” is created: copy its secret now</h3>
      <p className="ent-warning">
        This is the only time the secret is shown. Vigil keeps only a hash of it; if it is lost, revoke this
        credential and create a new one.
      </p>
      {app.clientId && <CopyField label="Client ID" value={app.clientId} />}
      {app.clientSecret && <CopyField label="Client secret" value={app.clientSecret} />}
      {app.apiKey && <CopyField label="API key" value={app.apiKey} />}
      {!app.clientSecret && !app.apiKey && <p className="muted">The server returned no secret (id {app.id}).</p>}
      <button type="button" className="btn btn-primary" onClick={onDismiss}>
        I have stored it
      </button>
    </section>
  );
}

function RevokeDialog({ app, onClose, onRevoked }: { app: ApiApp; onClose: () => void; onRevoked: () => void }) {
  const { busy, error, run } = useSubmit();
  const revoke = async () => {
    await run(async () => {
      await api.del(`/api/settings/apps/${encodeURIComponent(app.id)}`);
      onRevoked();
    });
  };
  return (
    <Dialog title={`Revoke “${app.name}”?`} onClose={onClose}>
      <div className="modal-form">
        <p>
          Every script or sensor using this {app.kind === 'key' ? 'API key' : 'app'} ({app.role}) is refused from now on.
          This cannot be undone.
        </p>
        <DialogButtons confirm="Revoke" busyLabel="Revoking…" danger busy={busy} error={error} onCancel={onClose} onConfirm={revoke} />
      </div>
    </Dialog>
  );
}
