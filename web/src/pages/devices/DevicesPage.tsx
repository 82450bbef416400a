// Device inventory: GET /api/machines with the filters as OData; a row opens the device page.
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { ODataList } from '../../api/client';
import type { Machine } from '../../api/types';
import { useApi } from '../../api/useApi';
import { DataTable, type Column, type SortState } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { Pager } from '../../components/Pager';
import {
  DEFAULT_DEVICE_FILTERS,
  DEVICE_PAGE_SIZE,
  HEALTH_STATES,
  RISK_LEVELS,
  machinesPath,
  type DeviceFilters,
} from './deviceModel';
import './devices.css';
import { SearchField } from '../../components/SelectField';

export function RiskBadge({ risk }: { risk: string | null | undefined }) {
  const value = risk || 'None';
  const cls = value === 'None' ? 'sev-informational ent-risk-none' : `sev-${value.toLowerCase()}`;
  return <span className={`badge sev ${cls}`}>{value === 'None' ? 'No risk' : value}</span>;
}

export function HealthText({ health }: { health: string | null | undefined }) {
  const value = health || 'Unknown';
  return <span className={`ent-health ent-health-${value.toLowerCase()}`}>{value}</span>;
}

export function ipList(machine: Machine & { ipAddresses?: unknown }): string[] {
  const ips = new Set<string>();
  if (machine.lastIpAddress) ips.add(machine.lastIpAddress);
  const more = Array.isArray(machine.ipAddresses) ? machine.ipAddresses : [];
  for (const entry of more) {
    if (typeof entry === 'string') ips.add(entry);
    else if (entry && typeof entry === 'object' && typeof (entry as { ipAddress?: unknown }).ipAddress === 'string')
      ips.add((entry as { ipAddress: string }).ipAddress);
  }
  if (machine.lastExternalIpAddress) ips.add(machine.lastExternalIpAddress);
  return [...ips];
}

const SORTABLE = new Set(['computerDnsName', 'osPlatform', 'healthStatus', 'rbacGroupName', 'lastSeen']);

export default function DevicesPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useState<DeviceFilters>(DEFAULT_DEVICE_FILTERS);
  const [text, setText] = useState('');

  // The name filter is sent after a short pause in typing.
  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => (f.text === text ? f : { ...f, text, page: 0 })), 300);
    return () => clearTimeout(timer);
  }, [text]);

  const path = machinesPath(filters);
  const loaded = useApi<ODataList<Machine>>(path);
  const rows = loaded.data?.value ?? [];
  const total = loaded.data?.['@odata.count'];

  const columns = useMemo<Column<Machine>[]>(
    () => [
      {
        key: 'computerDnsName',
        header: 'Device name',
        render: (m) => <span className="ent-strong">{m.computerDnsName}</span>,
        sortValue: (m) => m.computerDnsName,
      },
      {
        key: 'osPlatform',
        header: 'OS',
        render: (m) => (
          <>
            {m.osPlatform}
            {m.osBuild ? <span className="muted small"> {m.osBuild}</span> : null}
          </>
        ),
        sortValue: (m) => m.osPlatform,
      },
      { key: 'healthStatus', header: 'Health', render: (m) => <HealthText health={m.healthStatus} />, sortValue: (m) => m.healthStatus },
      { key: 'riskScore', header: 'Risk', render: (m) => <RiskBadge risk={m.riskScore} /> },
      { key: 'exposureLevel', header: 'Exposure', render: (m) => m.exposureLevel || <span className="muted">—</span> },
      {
        key: 'rbacGroupName',
        header: 'Device group',
        render: (m) => m.rbacGroupName || <span className="muted">Ungrouped</span>,
        sortValue: (m) => m.rbacGroupName,
      },
      { key: 'lastSeen', header: 'Last seen', render: (m) => <Time value={m.lastSeen} />, sortValue: (m) => m.lastSeen },
      {
        key: 'ips',
        header: 'IP addresses',
        render: (m) => {
          const ips = ipList(m);
          return ips.length ? <span className="mono small">{ips.join(', ')}</span> : <span className="muted">—</span>;
        },
      },
    ],
    [],
  );

  const sort: SortState = { key: filters.orderBy, descending: filters.descending };
  const onSort = (next: SortState) => {
    if (!SORTABLE.has(next.key)) return;
    setFilters((f) => ({ ...f, orderBy: next.key, descending: next.descending, page: 0 }));
  };
  const anyFilter = filters.text || filters.risk || filters.health;

  return (
    <div className="ent-page">
      <PageHeader title="Devices">
        {total !== undefined && <span className="muted">{total.toLocaleString()} devices</span>}
        <button type="button" className="btn" onClick={loaded.reload}>
          Refresh
        </button>
      </PageHeader>
      <div className="filters" role="search" aria-label="Device filters">
        <SearchField
          label="Device name"
          value={text}
          placeholder="contains…"
          onChange={setText}
          onEnter={() => setFilters((f) => ({ ...f, text, page: 0 }))}
        />
        <label>
          Risk level
          <select value={filters.risk} onChange={(e) => setFilters((f) => ({ ...f, risk: e.target.value, page: 0 }))}>
            <option value="">Any risk</option>
            {RISK_LEVELS.map((r) => (
              <option key={r} value={r}>
                {r === 'None' ? 'No risk' : r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Health
          <select value={filters.health} onChange={(e) => setFilters((f) => ({ ...f, health: e.target.value, page: 0 }))}>
            <option value="">Any health state</option>
            {HEALTH_STATES.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
        {anyFilter && (
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => {
              setText('');
              setFilters(DEFAULT_DEVICE_FILTERS);
            }}
          >
            Clear filters
          </button>
        )}
      </div>
      {loaded.error ? (
        <ErrorState error={loaded.error} onRetry={loaded.reload} />
      ) : loaded.data === undefined ? (
        <Loading what="Loading devices" />
      ) : rows.length === 0 ? (
        <Empty>{anyFilter ? 'No device matches these filters.' : 'No devices have reported yet.'}</Empty>
      ) : (
        <div className={loaded.loading ? 'ent-stale' : undefined} aria-busy={loaded.loading}>
          <DataTable
            rows={rows}
            columns={columns}
            rowKey={(m) => m.id}
            onOpen={(m) => navigate(`/devices/${encodeURIComponent(m.id)}`)}
            sort={sort}
            onSort={onSort}
            label="Devices"
          />
          <Pager
            page={filters.page}
            pageSize={DEVICE_PAGE_SIZE}
            shown={rows.length}
            total={total}
            hasNext={total !== undefined ? (filters.page + 1) * DEVICE_PAGE_SIZE < total : rows.length === DEVICE_PAGE_SIZE}
            onPage={(page) => setFilters((f) => ({ ...f, page }))}
            busy={loaded.loading}
          />
        </div>
      )}
    </div>
  );
}
