// The incident queue: server-side filtering, ordering and paging through the OData list
// (GET /api/incidents), with the filters kept in the address so Back and reload restore them;
// bulk assign / status / classify for analysts.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, type ODataList } from '../../api/client';
import type { Incident } from '../../api/types';
import { useSession } from '../../auth/session';
import { useLoad } from '../../api/useApi';
import { DomainBadge, SeverityBadge, StatusBadge } from '../../components/Badges';
import { DataTable, type Column, type SortState } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { Pager } from '../../components/Pager';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { BulkBar, BulkStatus, runBulk, type BulkRun } from './BulkBar';
import {
  DEFAULT_FILTERS,
  DOMAIN_SCAN_LIMIT,
  DOMAINS,
  PAGE_SIZES,
  RANGES,
  SERVER_PAGE_MAX,
  SEVERITIES,
  STATUSES,
  buildQueuePath,
  filtersFromParams,
  humanize,
  incidentDomains,
  matchesDomains,
  needsBrowserSide,
  queueParams,
  sortFromParams,
  sortRows,
  type QueueFilters,
  type QueueSort,
  type Range,
  type SortKey,
} from './model';
import './incidents.css';
import { SearchField } from '../../components/SelectField';

interface QueuePage {
  rows: Incident[];
  total: number | null;
  hasMore: boolean;
  // Set when the page was cut from all matching incidents in the browser.
  browserSide?: { scanned: number; truncated: boolean };
}

async function loadQueue(
  filters: QueueFilters,
  sort: QueueSort,
  page: number,
  size: number,
  signal: AbortSignal,
): Promise<QueuePage> {
  const now = new Date();
  if (!needsBrowserSide(filters, sort)) {
    const list = await api.get<ODataList<Incident>>(buildQueuePath(filters, sort, page * size, size, now), signal);
    const total = list['@odata.count'] ?? null;
    const hasMore = total !== null ? (page + 1) * size < total : list.value.length === size;
    return { rows: list.value, total, hasMore };
  }
  const all: Incident[] = [];
  let truncated = false;
  for (let skip = 0; ; skip += SERVER_PAGE_MAX) {
    const list = await api.get<ODataList<Incident>>(buildQueuePath(filters, sort, skip, SERVER_PAGE_MAX, now), signal);
    all.push(...list.value);
    const count = list['@odata.count'];
    if (list.value.length < SERVER_PAGE_MAX || (count !== undefined && all.length >= count)) break;
    if (all.length >= DOMAIN_SCAN_LIMIT) {
      truncated = true;
      break;
    }
  }
  const matching = sortRows(
    all.filter((incident) => matchesDomains(incident, filters.domains)),
    sort,
  );
  return {
    rows: matching.slice(page * size, (page + 1) * size),
    total: matching.length,
    hasMore: (page + 1) * size < matching.length,
    browserSide: { scanned: all.length, truncated },
  };
}

function ChipGroup({
  legend,
  options,
  selected,
  onChange,
  labels,
}: {
  legend: string;
  options: readonly string[];
  selected: string[];
  onChange: (next: string[]) => void;
  labels?: Record<string, string>;
}) {
  const toggle = (option: string) =>
    onChange(selected.includes(option) ? selected.filter((s) => s !== option) : options.filter((o) => o === option || selected.includes(o)));
  return (
    <fieldset className="chip-group">
      <legend>{legend}</legend>
      {options.map((option) => (
        <button
          key={option}
          type="button"
          className="chip"
          aria-pressed={selected.includes(option)}
          onClick={() => toggle(option)}
        >
          {labels?.[option] ?? option}
        </button>
      ))}
    </fieldset>
  );
}

const STATUS_LABELS: Record<string, string> = { InProgress: 'In progress' };
const DOMAIN_LABELS: Record<string, string> = { CloudApps: 'Cloud apps' };

export default function IncidentsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const { can } = useSession();
  const canChange = can('analyst');

  const filters = useMemo(() => filtersFromParams(params), [params]);
  const sort = useMemo(() => sortFromParams(params), [params]);
  const pageSize = PAGE_SIZES.find((s) => String(s) === params.get('size')) ?? PAGE_SIZES[0];
  const page = Math.max(0, (Number(params.get('page')) || 1) - 1);

  const [assigneeText, setAssigneeText] = useState(filters.assignee);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<BulkRun | null>(null);
  const bulkBusy = bulk !== null && bulk.done < bulk.total;

  const update = useCallback(
    (next: Partial<{ filters: QueueFilters; sort: QueueSort; page: number; pageSize: number }>) => {
      const f = next.filters ?? filters;
      const s = next.sort ?? sort;
      // Any change but paging starts again at the first page.
      const p = next.page ?? 0;
      setParams(queueParams(f, s, p, next.pageSize ?? pageSize), { replace: true });
    },
    [filters, sort, pageSize, setParams],
  );

  // `key` (the address's query) stands for filters, sort and paging.
  const key = params.toString();
  const queue = useLoad<QueuePage>(key, (signal) => loadQueue(filters, sort, page, pageSize, signal));
  const { data: result, error, loading, reload } = queue;

  // A new query clears the selection.
  useEffect(() => setSelected(new Set()), [key]);

  // The assignee box applies after a short pause in typing.
  useEffect(() => setAssigneeText(filters.assignee), [filters.assignee]);
  useEffect(() => {
    if (assigneeText === filters.assignee) return;
    const timer = setTimeout(() => update({ filters: { ...filters, assignee: assigneeText.trim() } }), 400);
    return () => clearTimeout(timer);
  }, [assigneeText, filters, update]);

  const setFilters = (change: Partial<QueueFilters>) => update({ filters: { ...filters, ...change } });

  const columns: Column<Incident>[] = [
    {
      key: 'incidentId',
      header: 'Id',
      width: '48px',
      sortValue: (i) => i.incidentId,
      render: (i) => <span className="mono">{i.incidentId}</span>,
    },
    {
      key: 'name',
      header: 'Incident name',
      render: (i) => (
        <Link to={`/incidents/${i.incidentId}`} className="incident-name" title={i.incidentName}>
          {i.incidentName}
        </Link>
      ),
    },
    {
      key: 'severity',
      header: 'Severity',
      sortValue: (i) => i.severity,
      render: (i) => <SeverityBadge severity={i.severity} />,
    },
    {
      key: 'status',
      header: 'Status',
      render: (i) => (
        <span className="row-tight">
          <StatusBadge status={i.status} />
          {i.status === 'Redirected' && i.redirectIncidentId !== null && (
            <span className="muted small"> to {i.redirectIncidentId}</span>
          )}
        </span>
      ),
    },
    {
      key: 'alerts',
      header: 'Alerts',
      width: '60px',
      sortValue: (i) => i.alerts?.length ?? 0,
      render: (i) => i.alerts?.length ?? 0,
    },
    {
      key: 'domains',
      header: 'Domains',
      render: (i) => (
        <span className="badge-list domains-cell">
          {incidentDomains(i).map((d) => (
            <DomainBadge key={d} domain={d} />
          ))}
        </span>
      ),
    },
    {
      key: 'assignedTo',
      header: 'Assigned to',
      render: (i) => (i.assignedTo ? i.assignedTo : <span className="muted">Unassigned</span>),
    },
    {
      key: 'classification',
      header: 'Classification',
      render: (i) =>
        !i.classification || i.classification === 'Unknown' ? (
          <span className="muted">Not set</span>
        ) : (
          <span>
            {humanize(i.classification)}
            {i.determination && i.determination !== 'NotAvailable' && (
              <span className="muted small block">{humanize(i.determination)}</span>
            )}
          </span>
        ),
    },
    {
      key: 'lastUpdateTime',
      header: 'Last update',
      sortValue: (i) => i.lastUpdateTime,
      render: (i) => <Time value={i.lastUpdateTime} />,
    },
  ];

  const onSort = (next: SortState) => update({ sort: { key: next.key as SortKey, descending: next.descending } });
  const rows = result?.rows ?? [];
  const total = result?.total ?? null;
  const filtered = JSON.stringify(filters) !== JSON.stringify(DEFAULT_FILTERS);

  return (
    <div className="incidents-page">
      <PageHeader title="Incidents">
        {total !== null && <span className="muted">{total.toLocaleString()} incidents</span>}
        <button type="button" className="btn" onClick={reload} disabled={loading}>
          Refresh
        </button>
      </PageHeader>

      <div className="filters incident-filters" role="search" aria-label="Filter incidents">
        <ChipGroup
          legend="Status"
          options={STATUSES}
          labels={STATUS_LABELS}
          selected={filters.statuses}
          onChange={(statuses) => setFilters({ statuses })}
        />
        <ChipGroup
          legend="Severity"
          options={SEVERITIES}
          selected={filters.severities}
          onChange={(severities) => setFilters({ severities })}
        />
        <ChipGroup
          legend="Domain"
          options={DOMAINS}
          labels={DOMAIN_LABELS}
          selected={filters.domains}
          onChange={(domains) => setFilters({ domains })}
        />
        <SearchField
          label="Assigned to"
          value={assigneeText}
          placeholder="name, or unassigned"
          onChange={setAssigneeText}
          onEnter={() => setFilters({ assignee: assigneeText.trim() })}
          size={20}
        />
        <label>
          Last update
          <select value={filters.range} onChange={(e) => setFilters({ range: e.target.value as Range })}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" className="btn btn-quiet" onClick={() => update({ filters: DEFAULT_FILTERS })}>
            Reset filters
          </button>
        )}
      </div>

      {canChange && selected.size > 0 && (
        <BulkBar
          ids={[...selected].map(Number)}
          busy={bulkBusy}
          onRun={(what, change) => {
            void runBulk([...selected].map(Number), what, change, setBulk).then((failed) => {
              // Failed incidents stay selected for another try.
              setSelected(new Set(failed.map(String)));
              reload();
            });
          }}
          onClear={() => setSelected(new Set())}
        />
      )}
      {bulk && <BulkStatus run={bulk} onDismiss={() => setBulk(null)} />}

      {result?.browserSide?.truncated && (
        <p className="note" role="note">
          Filtered and ordered in the browser over the {result.browserSide.scanned.toLocaleString()} most recently
          updated incidents; narrow the other filters to see older ones.
        </p>
      )}

      {error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : result === undefined ? (
        <Loading what="Loading incidents" />
      ) : rows.length === 0 ? (
        <Empty>
          No incidents match these filters.
          {filtered && (
            <>
              {' '}
              <button type="button" className="btn btn-small" onClick={() => update({ filters: DEFAULT_FILTERS })}>
                Reset filters
              </button>
            </>
          )}
        </Empty>
      ) : (
        <div className={loading ? 'queue-table is-loading' : 'queue-table'} aria-busy={loading}>
          <DataTable
            label="Incidents"
            rows={rows}
            columns={columns}
            rowKey={(i) => String(i.incidentId)}
            onOpen={(i) => navigate(`/incidents/${i.incidentId}`)}
            selected={canChange ? selected : undefined}
            onSelect={canChange ? setSelected : undefined}
            sort={{ key: sort.key, descending: sort.descending }}
            onSort={onSort}
          />
        </div>
      )}

      {result !== undefined && rows.length > 0 && (
        <Pager
          page={page}
          pageSize={pageSize}
          shown={rows.length}
          total={total}
          hasNext={result.hasMore}
          onPage={(p) => update({ page: p })}
          busy={loading}
          sizes={PAGE_SIZES}
          onPageSize={(size) => update({ pageSize: size })}
        >
          {loading && <span className="muted small">Updating…</span>}
        </Pager>
      )}
    </div>
  );
}
