// Alerts queue: server-side filters, sort and paging (OData), bulk triage for analysts.
// The filters live in the address (?status=New&range=7d...) so Back returns to the same view.
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, type ODataList } from '../../api/client';
import { useApi } from '../../api/useApi';
import type { Alert } from '../../api/types';
import { useSession } from '../../auth/session';
import { SeverityBadge, StatusBadge } from '../../components/Badges';
import { DataTable, type Column, type SortState } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { Pager } from '../../components/Pager';
import { SelectField } from '../../components/SelectField';
import { FormError, listState } from '../../components/States';
import { Time } from '../../components/Time';
import {
  ALERT_STATUSES,
  CATEGORIES,
  CLASSIFICATIONS,
  DETECTION_SOURCES,
  DETERMINATIONS,
  EMPTY_FILTERS,
  SEVERITIES,
  alertsPath,
  label,
  userLabel,
  type AlertFilters,
  type TimeRange,
} from './model';
import './alerts.css';
import { useSubmit } from '../../components/useSubmit';

const PAGE_SIZES = [25, 50, 100];

// The filters that are a plain choice of one value.
const FILTER_SELECTS: { key: 'status' | 'severity' | 'source' | 'category'; label: string; options: readonly string[]; optionLabel?: (v: string) => string }[] = [
  { key: 'status', label: 'Status', options: ALERT_STATUSES, optionLabel: label },
  { key: 'severity', label: 'Severity', options: SEVERITIES },
  { key: 'source', label: 'Detection source', options: DETECTION_SOURCES, optionLabel: label },
  { key: 'category', label: 'Category', options: CATEGORIES, optionLabel: label },
];
const FILTER_KEYS = Object.keys(EMPTY_FILTERS) as (keyof AlertFilters)[];

function readFilters(params: URLSearchParams): AlertFilters {
  const filters = { ...EMPTY_FILTERS };
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null) (filters as Record<string, string>)[key] = value;
  }
  // The default range is 30 days; "all" in the address means any time.
  if (filters.range === ('all' as TimeRange)) filters.range = '';
  return filters;
}

export default function AlertsPage() {
  const { user, can } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const pageSize = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : 25;
  const sort: SortState = {
    key: params.get('sort') ?? 'created',
    descending: params.get('dir') !== 'asc',
  };
  // The relative time ranges are computed when the filters change, not on every render.
  const path = useMemo(
    () => alertsPath(filters, user?.name, sort, page, pageSize),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [params.toString(), user?.name],
  );
  const list = useApi<ODataList<Alert>>(path);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const canTriage = can('analyst');

  const update = (changes: Record<string, string | null>, keepPage = false) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '' || (key in EMPTY_FILTERS && value === EMPTY_FILTERS[key as keyof AlertFilters]))
        next.delete(key);
      else next.set(key, value);
    }
    if (!keepPage) next.delete('page');
    if (changes.range === '') next.set('range', 'all');
    setParams(next, { replace: true });
    setSelected(new Set());
  };
  const setFilter = (key: keyof AlertFilters, value: string) => update({ [key]: value });
  const range = filters.range;

  const rows = list.data?.value ?? [];
  const total = list.data?.['@odata.count'];
  const last = page * pageSize + rows.length;

  const columns: Column<Alert>[] = [
    {
      key: 'title',
      header: 'Title',
      sortValue: (a) => a.title,
      render: (a) => (
        <Link to={`/alerts/${encodeURIComponent(a.id)}`} className="alert-title">
          {a.title}
        </Link>
      ),
    },
    { key: 'severity', header: 'Severity', render: (a) => <SeverityBadge severity={a.severity} /> },
    {
      key: 'status',
      header: 'Status',
      sortValue: (a) => a.status,
      render: (a) => (
        <span className="status-cell">
          <StatusBadge status={a.status} />
          <span className={`small${a.assignedTo ? '' : ' muted'}`} title="Assigned to">
            {a.assignedTo ?? 'Unassigned'}
          </span>
        </span>
      ),
    },
    { key: 'category', header: 'Category', sortValue: (a) => a.category, render: (a) => label(a.category) },
    { key: 'source', header: 'Source', sortValue: (a) => a.detectionSource, render: (a) => label(a.detectionSource) },
    {
      key: 'device',
      header: 'Device / user',
      sortValue: (a) => a.computerDnsName,
      render: (a) => (
        <span className="asset-cell">
          {a.machineId ? (
            <Link to={`/devices/${encodeURIComponent(a.machineId)}`}>{a.computerDnsName ?? a.machineId}</Link>
          ) : null}
          {a.relatedUser ? <span>{userLabel(a.relatedUser)}</span> : null}
          {!a.machineId && !a.relatedUser && <span className="muted">—</span>}
        </span>
      ),
    },
    {
      key: 'incident',
      header: 'Incident',
      render: (a) =>
        a.incidentId ? <Link to={`/incidents/${a.incidentId}`}>#{a.incidentId}</Link> : <span className="muted">—</span>,
    },
    { key: 'created', header: 'Created', sortValue: (a) => a.alertCreationTime, render: (a) => <Time value={a.alertCreationTime} /> },
  ];

  const anyFilter = FILTER_KEYS.some((k) => k !== 'range' && filters[k] !== EMPTY_FILTERS[k]);

  return (
    <div className="alerts-page">
      <PageHeader title="Alerts">
        {list.loading && list.data && <span className="muted small">Refreshing…</span>}
        <button type="button" className="btn" onClick={list.reload}>
          Refresh
        </button>
      </PageHeader>

      <form className="filters" role="search" aria-label="Alert filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search title
          <input
            type="search"
            defaultValue={filters.search}
            key={`search-${filters.search}`}
            placeholder="contains…"
            onKeyDown={(e) => {
              if (e.key === 'Enter') setFilter('search', (e.target as HTMLInputElement).value);
            }}
            onBlur={(e) => e.target.value !== filters.search && setFilter('search', e.target.value)}
          />
        </label>
        {FILTER_SELECTS.map((f) => (
          <SelectField
            key={f.key}
            label={f.label}
            value={filters[f.key]}
            onChange={(v) => setFilter(f.key, v)}
            options={f.options}
            optionLabel={f.optionLabel}
            any="Any"
          />
        ))}
        <label>
          Assigned to
          <select
            value={['', '@me', '@none'].includes(filters.assigned) ? filters.assigned : '@other'}
            onChange={(e) => setFilter('assigned', e.target.value === '@other' ? (user?.name ?? '') : e.target.value)}
          >
            <option value="">Anyone</option>
            <option value="@me">Me</option>
            <option value="@none">Unassigned</option>
            <option value="@other">Someone…</option>
          </select>
        </label>
        {!['', '@me', '@none'].includes(filters.assigned) && (
          <label>
            Assignee name
            <input
              defaultValue={filters.assigned}
              key={`assignee-${filters.assigned}`}
              onKeyDown={(e) => {
                if (e.key === 'Enter') setFilter('assigned', (e.target as HTMLInputElement).value);
              }}
              onBlur={(e) => e.target.value !== filters.assigned && setFilter('assigned', e.target.value)}
            />
          </label>
        )}
        <label>
          Created
          <select value={range} onChange={(e) => update({ range: e.target.value })}>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
            <option value="180d">Last 6 months</option>
            <option value="">Any time</option>
            <option value="custom">Custom range…</option>
          </select>
        </label>
        {range === 'custom' && (
          <>
            <label>
              From (local)
              <input type="datetime-local" value={filters.from} onChange={(e) => setFilter('from', e.target.value)} />
            </label>
            <label>
              To (local)
              <input type="datetime-local" value={filters.to} onChange={(e) => setFilter('to', e.target.value)} />
            </label>
          </>
        )}
        {anyFilter && (
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => {
              setParams(new URLSearchParams(), { replace: true });
              setSelected(new Set());
            }}
          >
            Clear filters
          </button>
        )}
      </form>

      {canTriage && selected.size > 0 && (
        <BulkBar
          ids={[...selected]}
          me={user?.name}
          onDone={(text) => {
            setMessage(text);
            setSelected(new Set());
            list.reload();
          }}
          onCancel={() => setSelected(new Set())}
        />
      )}
      {message && (
        <p className="notice" role="status">
          {message}{' '}
          <button type="button" className="btn btn-small btn-quiet" onClick={() => setMessage(null)}>
            Dismiss
          </button>
        </p>
      )}

      {listState(list, 'Loading alerts', rows.length === 0 && 'No alerts match these filters.') ?? (
        <>
          <DataTable
            label="Alerts"
            rows={rows}
            columns={columns}
            rowKey={(a) => a.id}
            onOpen={(a) => navigate(`/alerts/${encodeURIComponent(a.id)}`)}
            selected={canTriage ? selected : undefined}
            onSelect={canTriage ? setSelected : undefined}
            sort={sort}
            onSort={(s) => update({ sort: s.key, dir: s.descending ? null : 'asc' })}
          />
        </>
      )}
      {list.data && (
        <Pager
          page={page}
          pageSize={pageSize}
          shown={rows.length}
          total={total}
          hasNext={total !== undefined ? last < total : rows.length >= pageSize}
          onPage={(p) => update({ page: p > 0 ? String(p) : null }, true)}
          emptyText="No alerts"
          sizes={PAGE_SIZES}
          onPageSize={(size) => update({ size: size === 25 ? null : String(size) })}
        />
      )}
    </div>
  );
}

// The bulk triage bar: only the fields the analyst sets are sent to batchUpdate.
function BulkBar({
  ids,
  me,
  onDone,
  onCancel,
}: {
  ids: string[];
  me: string | undefined;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const [status, setStatus] = useState('');
  const [assignee, setAssignee] = useState('');
  const [classification, setClassification] = useState('');
  const [determination, setDetermination] = useState('');
  const [comment, setComment] = useState('');
  const { busy, error, run } = useSubmit();

  const body: Record<string, unknown> = { alertIds: ids };
  if (status) body.status = status;
  if (assignee.trim()) body.assignedTo = assignee.trim();
  if (classification) body.classification = classification;
  if (classification && determination) body.determination = determination;
  if (comment.trim()) body.comment = comment.trim();
  const nothing = Object.keys(body).length === 1;

  const apply = async () => {
    await run(async () => {
      await api.post('/api/alerts/batchUpdate', body);
      onDone(`Updated ${ids.length} alert${ids.length === 1 ? '' : 's'}.`);
    });
  };

  return (
    <section className="panel bulk-bar" aria-label="Update selected alerts">
      <strong>
        {ids.length} selected
      </strong>
      <SelectField label="Status" value={status} onChange={setStatus} options={ALERT_STATUSES} optionLabel={label} any="Unchanged" />
      <label>
        Assign to
        <span className="row">
          <input value={assignee} onChange={(e) => setAssignee(e.target.value)} placeholder="user name" size={14} />
          {me && (
            <button type="button" className="btn btn-small" onClick={() => setAssignee(me)}>
              Me
            </button>
          )}
        </span>
      </label>
      <SelectField
        label="Classification"
        value={classification}
        onChange={(v) => {
          setClassification(v);
          setDetermination('');
        }}
        options={CLASSIFICATIONS}
        optionLabel={label}
        any="Unchanged"
      />
      <label>
        Determination
        <select value={determination} disabled={!classification} onChange={(e) => setDetermination(e.target.value)}>
          <option value="">{classification ? 'Not set' : 'Pick a classification'}</option>
          {(DETERMINATIONS[classification] ?? []).map((d) => (
            <option key={d} value={d}>
              {label(d)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Comment
        <input value={comment} onChange={(e) => setComment(e.target.value)} size={24} />
      </label>
      <span className="row">
        <button type="button" className="btn btn-primary" disabled={nothing || busy} onClick={apply}>
          {busy ? 'Applying…' : 'Apply'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Clear selection
        </button>
      </span>
      <FormError error={error} />
    </section>
  );
}
