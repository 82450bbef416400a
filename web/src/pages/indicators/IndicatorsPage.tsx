// Indicators of compromise: list (expired ones marked), filter, add, delete, and import from a
// JSON or CSV file. Changes need the responder role.
import { useMemo, useRef, useState } from 'react';
import { api, ApiError, type ODataList } from '../../api/client';
import { useApi } from '../../api/useApi';
import type { Indicator } from '../../api/types';
import { useSession } from '../../auth/session';
import { SeverityBadge } from '../../components/Badges';
import { DataTable, type Column } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { FormError, listState } from '../../components/States';
import { Time, parseTime } from '../../components/Time';
import { CommentDialog } from '../../components/Dialog';
import { SelectField } from '../../components/SelectField';
import { label, localToUtcIso } from '../alerts/model';
import {
  INDICATOR_ACTIONS,
  INDICATOR_SEVERITIES,
  INDICATOR_TYPES,
  checkIndicator,
  explainFailure,
  parseIndicatorFile,
  type ImportAnswerItem,
  type ParseError,
  type ParsedImport,
} from './importParse';
import '../actions/actions.css';
import './indicators.css';

export function isExpired(indicator: Pick<Indicator, 'expirationTime'>, now: Date = new Date()): boolean {
  const expires = parseTime(indicator.expirationTime);
  return expires !== null && expires.getTime() <= now.getTime();
}

export default function IndicatorsPage() {
  const { can } = useSession();
  const responder = can('responder');
  const list = useApi<ODataList<Indicator>>('/api/indicators');
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  const [hideExpired, setHideExpired] = useState(false);
  const [panel, setPanel] = useState<'add' | 'import' | null>(null);
  const [deleting, setDeleting] = useState<Indicator | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const now = useMemo(() => new Date(), [list.data]);
  const all = list.data?.value ?? [];
  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return all.filter(
      (i) =>
        (!type || i.indicatorType === type) &&
        (!hideExpired || !isExpired(i, now)) &&
        (!needle ||
          [i.indicatorValue, i.title, i.description, i.createdBy, i.action].some((v) => v?.toLowerCase().includes(needle))),
    );
  }, [all, type, text, hideExpired, now]);
  const expiredCount = all.filter((i) => isExpired(i, now)).length;

  const remove = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await api.del(`/api/indicators/${encodeURIComponent(deleting.id)}`);
      setMessage(`Deleted indicator ${deleting.indicatorValue}.`);
      setDeleting(null);
      list.reload();
    } catch (e) {
      setDeleteError((e as Error).message);
    } finally {
      setDeleteBusy(false);
    }
  };

  const columns: Column<Indicator>[] = [
    {
      key: 'value',
      header: 'Value',
      sortValue: (i) => i.indicatorValue,
      render: (i) => (
        <span className="mono ioc-value" title={i.indicatorValue}>
          {i.indicatorValue}
        </span>
      ),
    },
    { key: 'type', header: 'Type', sortValue: (i) => i.indicatorType, render: (i) => i.indicatorType },
    { key: 'action', header: 'Action', sortValue: (i) => i.action, render: (i) => <span title={i.action}>{label(i.action)}</span> },
    { key: 'severity', header: 'Severity', sortValue: (i) => i.severity, render: (i) => <SeverityBadge severity={i.severity} /> },
    {
      key: 'title',
      header: 'Title',
      sortValue: (i) => i.title,
      render: (i) => (
        <span className="ioc-title" title={i.description || undefined}>
          {i.title || <span className="muted">—</span>}
        </span>
      ),
    },
    {
      key: 'created',
      header: 'Created',
      sortValue: (i) => i.creationTimeDateTimeUtc,
      render: (i) => (
        <span className="expires-cell">
          <Time value={i.creationTimeDateTimeUtc} />
          <span className="muted small">by {i.createdBy || 'unknown'}</span>
        </span>
      ),
    },
    {
      key: 'expires',
      header: 'Expires',
      sortValue: (i) => i.expirationTime ?? '9999',
      render: (i) =>
        !i.expirationTime ? (
          <span className="muted">Never</span>
        ) : (
          <span className="expires-cell">
            <Time value={i.expirationTime} />
            {isExpired(i, now) && <span className="badge expired">Expired</span>}
          </span>
        ),
    },
  ];
  if (responder) {
    columns.push({
      key: 'delete',
      header: '',
      render: (i) => (
        <button
          type="button"
          className="btn btn-small btn-danger"
          aria-label={`Delete ${i.indicatorValue}`}
          onClick={() => {
            setDeleteError(null);
            setDeleting(i);
          }}
        >
          Delete
        </button>
      ),
    });
  }

  return (
    <>
      <div className="indicators-page" inert={deleting !== null} aria-hidden={deleting !== null || undefined}>
        <PageHeader title="Indicators">
          {responder && (
            <>
              <button
                type="button"
                className={`btn${panel === 'add' ? ' btn-primary' : ''}`}
                aria-expanded={panel === 'add'}
                onClick={() => setPanel(panel === 'add' ? null : 'add')}
              >
                Add indicator
              </button>
              <button
                type="button"
                className={`btn${panel === 'import' ? ' btn-primary' : ''}`}
                aria-expanded={panel === 'import'}
                onClick={() => setPanel(panel === 'import' ? null : 'import')}
              >
                Import
              </button>
            </>
          )}
          <button type="button" className="btn" onClick={list.reload}>
            Refresh
          </button>
        </PageHeader>
        {!responder && <p className="muted small">Your role can view indicators; adding, importing and deleting need the responder role.</p>}
        {message && (
          <p className="notice" role="status">
            {message}{' '}
            <button type="button" className="btn btn-small btn-quiet" onClick={() => setMessage(null)}>
              Dismiss
            </button>
          </p>
        )}
        {responder && panel === 'add' && (
          <AddForm
            onAdded={(i) => {
              setMessage(`Added indicator ${i.indicatorValue}.`);
              setPanel(null);
              list.reload();
            }}
            onClose={() => setPanel(null)}
          />
        )}
        {responder && panel === 'import' && <ImportPanel onImported={list.reload} onClose={() => setPanel(null)} />}

        <div className="filters" role="search" aria-label="Indicator filters">
          <label>
            Type
            <select value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">All types</option>
              {INDICATOR_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            Search
            <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="value, title, creator…" />
          </label>
          <label className="check">
            <input type="checkbox" checked={hideExpired} onChange={(e) => setHideExpired(e.target.checked)} /> Hide expired
            {expiredCount > 0 && ` (${expiredCount})`}
          </label>
          {list.data && (
            <span className="muted small filter-count">
              {rows.length} of {all.length}
            </span>
          )}
        </div>

        {listState(
          list,
          'Loading indicators',
          all.length === 0 ? <>No indicators yet.{responder && ' Add one or import a file.'}</> : rows.length === 0 && 'No indicator matches these filters.',
        ) ?? (
          <div className="ioc-table">
            <DataTable label="Indicators" rows={rows} columns={columns} rowKey={(i) => i.id} />
          </div>
        )}
      </div>
      {deleting && (
        <CommentDialog
          title="Delete indicator"
          message={
            <p>
              Delete the {deleting.indicatorType} indicator <span className="mono ioc-value-full">{deleting.indicatorValue}</span>? Sensors
              stop acting on it.
            </p>
          }
          confirm="Delete"
          danger
          commentLabel={null}
          busy={deleteBusy}
          error={deleteError}
          onConfirm={remove}
          onClose={() => setDeleting(null)}
        />
      )}
    </>
  );
}

const EMPTY_FORM = {
  indicatorValue: '',
  indicatorType: 'FileSha256',
  action: 'AlertAndBlock',
  severity: 'Medium',
  title: '',
  description: '',
  expiration: '',
  generateAlert: true,
};

function AddForm({ onAdded, onClose }: { onAdded: (i: Indicator) => void; onClose: () => void }) {
  const [form, setForm] = useState(EMPTY_FORM);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof EMPTY_FORM, value: string | boolean) => setForm({ ...form, [key]: value });

  const submit = async () => {
    setError(null);
    const expirationTime = form.expiration ? localToUtcIso(form.expiration) : null;
    if (form.expiration && !expirationTime) return setError('The expiration is not a valid date and time.');
    if (expirationTime && new Date(expirationTime).getTime() <= Date.now()) return setError('The expiration must be in the future.');
    const body: Record<string, unknown> = {
      indicatorValue: form.indicatorValue.trim(),
      indicatorType: form.indicatorType,
      action: form.action,
      severity: form.severity,
      title: form.title.trim(),
      description: form.description.trim(),
      generateAlert: form.generateAlert,
    };
    if (expirationTime) body.expirationTime = expirationTime;
    const checked = checkIndicator(body);
    if (typeof checked === 'string') return setError(checked.charAt(0).toUpperCase() + checked.slice(1) + '.');
    setBusy(true);
    try {
      const added = await api.post<Indicator>('/api/indicators', body);
      setForm(EMPTY_FORM);
      onAdded(added ?? (body as unknown as Indicator));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section className="panel ioc-panel" aria-labelledby="ioc-add-title">
      <h2 id="ioc-add-title">Add an indicator</h2>
      <form
        className="ioc-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="wide">
          Value
          <input
            required
            value={form.indicatorValue}
            onChange={(e) => set('indicatorValue', e.target.value)}
            placeholder="hash, IP address, domain or URL"
            spellCheck={false}
          />
        </label>
        <SelectField label="Type" value={form.indicatorType} onChange={(v) => set('indicatorType', v)} options={INDICATOR_TYPES} />
        <SelectField label="Action" value={form.action} onChange={(v) => set('action', v)} options={INDICATOR_ACTIONS} />
        <SelectField label="Severity" value={form.severity} onChange={(v) => set('severity', v)} options={INDICATOR_SEVERITIES} />
        <label className="wide">
          Title
          <input required value={form.title} onChange={(e) => set('title', e.target.value)} />
        </label>
        <label className="wide">
          Description
          <textarea required rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />
        </label>
        <label>
          Expires ({zone})
          <input type="datetime-local" value={form.expiration} onChange={(e) => set('expiration', e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={form.generateAlert} onChange={(e) => set('generateAlert', e.target.checked)} /> Generate an
          alert when seen
        </label>
        {error && (
          <p className="form-error wide" role="alert">
            {error}
          </p>
        )}
        <div className="row wide">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add'}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}

// Errors in file order: "line 3" before "line 10", then the rest.
function byPlace(errors: ParseError[]): ParseError[] {
  const place = (e: ParseError) => {
    const m = /^(?:line|item) (\d+)$/.exec(e.where);
    return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
  };
  return [...errors].sort((a, b) => place(a) - place(b));
}

function ErrorList({ errors, label }: { errors: ParseError[]; label: string }) {
  if (!errors.length) return null;
  const shown = errors.slice(0, 50);
  return (
    <div className="import-errors">
      <strong>{label}</strong>
      <ul>
        {shown.map((e, i) => (
          <li key={i}>
            <span className="muted">{e.where}:</span> {e.message}
          </li>
        ))}
        {errors.length > shown.length && <li className="muted">…and {errors.length - shown.length} more</li>}
      </ul>
    </div>
  );
}

// FileReader rather than Blob.text(): the latter is missing in some test DOMs.
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsText(file);
  });
}

function ImportPanel({ onImported, onClose }: { onImported: () => void; onClose: () => void }) {
  const [file, setFile] = useState<string | null>(null);
  const [parsed, setParsed] = useState<ParsedImport | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ accepted: number; errors: ParseError[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const read = async (f: File | undefined) => {
    setParsed(null);
    setResult(null);
    setError(null);
    if (!f) return setFile(null);
    setFile(f.name);
    try {
      const text = await readText(f);
      setParsed(parseIndicatorFile(text, f.name));
    } catch (e) {
      setError(`Could not read ${f.name}: ${(e as Error).message}`);
    }
  };

  const send = async () => {
    if (!parsed?.rows.length) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<ODataList<ImportAnswerItem>>('/api/indicators/import', {
        Indicators: parsed.rows.map((r) => r.indicator),
      });
      const items = answer?.value ?? [];
      const accepted = items.filter((i) => !i.isFailed).length;
      const errors = items
        .filter((i) => i.isFailed)
        .map((i) =>
          i.indicator
            ? { where: i.indicator, message: i.failureReason ?? 'refused' }
            : explainFailure(i.failureReason ?? 'refused', parsed.rows),
        );
      setResult({ accepted, errors });
      if (accepted) onImported();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel ioc-panel" aria-labelledby="ioc-import-title">
      <h2 id="ioc-import-title">Import indicators</h2>
      <p className="muted small">
        A JSON file (an array of indicators or <code>{'{"Indicators":[...]}'}</code>) or a CSV file with the header{' '}
        <code>indicatorValue,indicatorType,action,title,severity,description,expirationTime</code>. Times without a zone are UTC.
      </p>
      <div className="row">
        <label>
          Indicator file
          <input
            ref={input}
            type="file"
            accept=".json,.csv,.txt,application/json,text/csv"
            onChange={(e) => void read(e.target.files?.[0])}
          />
        </label>
      </div>
      <FormError error={error} />
      {parsed && !result && (
        <div className="import-preview" role="status">
          <p>
            {file}: {parsed.rows.length} indicator{parsed.rows.length === 1 ? '' : 's'} ready
            {parsed.errors.length > 0 && `, ${parsed.errors.length} row${parsed.errors.length === 1 ? '' : 's'} with problems (not sent)`}.
          </p>
          <ErrorList errors={parsed.errors} label="Rows with problems" />
        </div>
      )}
      {result && parsed && (
        <div className={`notice${result.errors.length + parsed.errors.length ? ' notice-error' : ''}`} role="status">
          <p>
            <strong>
              {result.accepted} accepted
              {result.errors.length + parsed.errors.length > 0 && `, ${result.errors.length + parsed.errors.length} not imported`}
            </strong>
          </p>
          <ErrorList errors={byPlace([...parsed.errors, ...result.errors])} label="Not imported" />
        </div>
      )}
      <div className="row" style={{ marginTop: 8 }}>
        <button type="button" className="btn btn-primary" disabled={!parsed?.rows.length || busy || result !== null} onClick={send}>
          {busy ? 'Importing…' : `Import ${parsed?.rows.length ?? 0} indicator${parsed?.rows.length === 1 ? '' : 's'}`}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
