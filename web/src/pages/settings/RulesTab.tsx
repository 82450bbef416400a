// Detection rules: Sigma and correlation rules (GET /api/rules, PATCH {enabled} by admins) and
// custom KQL detections (GET /api/detectionrules, PATCH {enabled} by responders).
import { useEffect, useMemo, useState } from 'react';
import { api, type ODataList } from '../../api/client';
import { useApi } from '../../api/useApi';
import { useSession } from '../../auth/session';
import { SeverityBadge } from '../../components/Badges';
import { DataTable, type Column } from '../../components/DataTable';
import { Empty, ErrorState, FormError, Loading } from '../../components/States';
import { Pager } from '../../components/Pager';
import { NotAvailable, isNotFound } from '../devices/common';
import type { CustomDetection, RuleSwitch } from './settingsModel';

const RULES_PAGE = 100;
const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];

// Sigma levels (informational .. critical) in the severity colours; critical as high.
function LevelBadge({ level }: { level: string }) {
  const value = (level || 'unknown').toLowerCase();
  const cls = value === 'critical' ? 'high' : LEVELS.includes(value) ? value : 'informational';
  return <span className={`badge sev sev-${cls}`}>{value[0].toUpperCase() + value.slice(1)}</span>;
}

// An on/off switch: a button with role="switch" (Space/Enter toggle it).
export function Switch({
  checked,
  label,
  disabled,
  busy,
  onChange,
}: {
  checked: boolean;
  label: string;
  disabled?: boolean;
  busy?: boolean;
  onChange: (next: boolean) => void;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      className={`ent-switch${checked ? ' on' : ''}`}
      disabled={disabled || busy}
      onClick={() => onChange(!checked)}
    >
      <span className="ent-switch-knob" aria-hidden="true" />
      <span className="ent-switch-text">{busy ? '…' : checked ? 'On' : 'Off'}</span>
    </button>
  );
}

// Enabled flags changed here, over what the list says, until the list is loaded again.
function useToggles<T extends { id: string; enabled: boolean }>(pathOf: (id: string) => string) {
  const [overrides, setOverrides] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const enabled = (row: T) => overrides[row.id] ?? row.enabled;
  const toggle = async (row: T, next: boolean) => {
    setBusy((b) => ({ ...b, [row.id]: true }));
    setError(null);
    try {
      const answer = await api.patch<Partial<T> | undefined>(pathOf(row.id), { enabled: next });
      const value = answer && typeof answer.enabled === 'boolean' ? answer.enabled : next;
      setOverrides((o) => ({ ...o, [row.id]: value }));
    } catch (e) {
      setError(`Could not ${next ? 'enable' : 'disable'} “${row.id}”: ${(e as Error).message}`);
    } finally {
      setBusy((b) => ({ ...b, [row.id]: false }));
    }
  };
  return { enabled, toggle, busy, error, reset: () => setOverrides({}) };
}

export function RulesTab() {
  return (
    <div className="ent-settings">
      <RuleSwitches />
      <CustomDetections />
    </div>
  );
}

function RuleSwitches() {
  const { can } = useSession();
  const admin = can('admin');
  const loaded = useApi<ODataList<RuleSwitch>>('/api/rules');
  const toggles = useToggles<RuleSwitch>((id) => `/api/rules/${encodeURIComponent(id)}`);
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState('');
  const [state, setState] = useState('');
  const [page, setPage] = useState(0);
  useEffect(() => setPage(0), [search, kind, state]);

  const all = loaded.data?.value ?? [];
  const kinds = useMemo(() => [...new Set(all.map((r) => r.kind).filter(Boolean))].sort(), [all]);
  const filtered = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return all.filter((r) => {
      if (kind && r.kind !== kind) return false;
      const on = toggles.enabled(r);
      if (state === 'on' && !on) return false;
      if (state === 'off' && on) return false;
      if (!needle) return true;
      return [r.title, r.id, r.author, ...(r.tags ?? [])].some((v) => (v ?? '').toLowerCase().includes(needle));
    });
    // toggles.enabled reads the overrides: recompute when they change
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [all, search, kind, state, toggles.enabled]);
  const rows = filtered.slice(page * RULES_PAGE, (page + 1) * RULES_PAGE);

  const columns: Column<RuleSwitch>[] = [
    {
      key: 'enabled',
      header: 'Enabled',
      render: (r) => (
        <Switch
          checked={toggles.enabled(r)}
          label={`${r.title} enabled`}
          disabled={!admin}
          busy={toggles.busy[r.id]}
          onChange={(next) => toggles.toggle(r, next)}
        />
      ),
      sortValue: (r) => (toggles.enabled(r) ? 1 : 0),
    },
    {
      key: 'title',
      header: 'Rule',
      render: (r) => (
        <span>
          <span className="ent-strong">{r.title}</span>
          <br />
          <span className="muted small mono">{r.id}</span>
        </span>
      ),
      sortValue: (r) => r.title,
    },
    { key: 'kind', header: 'Kind', render: (r) => r.kind, sortValue: (r) => r.kind },
    { key: 'level', header: 'Level', render: (r) => <LevelBadge level={r.level} />, sortValue: (r) => LEVELS.indexOf((r.level ?? '').toLowerCase()) },
    { key: 'status', header: 'Status', render: (r) => r.status || <span className="muted">—</span>, sortValue: (r) => r.status },
    { key: 'author', header: 'Author', render: (r) => <span className="small">{r.author}</span>, sortValue: (r) => r.author },
    {
      key: 'tags',
      header: 'Tags',
      render: (r) => <span className="small muted ent-wrap">{(r.tags ?? []).slice(0, 5).join(', ')}{(r.tags ?? []).length > 5 ? ', …' : ''}</span>,
    },
  ];

  return (
    <section aria-labelledby="ent-rules-h">
      <h2 id="ent-rules-h">Sigma and correlation rules</h2>
      {loaded.error && isNotFound(loaded.error) ? (
        <NotAvailable what="The rule list" />
      ) : loaded.error ? (
        <ErrorState error={loaded.error} onRetry={loaded.reload} />
      ) : !loaded.data ? (
        <Loading what="Loading rules" />
      ) : (
        <>
          <div className="filters" role="search" aria-label="Rule filters">
            <label>
              Search rules
              <input type="search" value={search} placeholder="title, id, author or tag" onChange={(e) => setSearch(e.target.value)} />
            </label>
            <label>
              Kind
              <select value={kind} onChange={(e) => setKind(e.target.value)}>
                <option value="">All kinds</option>
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
            <label>
              State
              <select value={state} onChange={(e) => setState(e.target.value)}>
                <option value="">Enabled and disabled</option>
                <option value="on">Enabled only</option>
                <option value="off">Disabled only</option>
              </select>
            </label>
            <span className="muted small ent-hint">
              {filtered.length.toLocaleString()} of {all.length.toLocaleString()} rules
              {!admin && ' · only admins can switch rules'}
            </span>
          </div>
          <FormError error={toggles.error} />
          {rows.length === 0 ? (
            <Empty>{all.length ? 'No rule matches these filters.' : 'No rules are loaded on this server.'}</Empty>
          ) : (
            <>
              <DataTable rows={rows} columns={columns} rowKey={(r) => r.id} label="Sigma and correlation rules" />
              {filtered.length > RULES_PAGE && (
                <Pager
                  page={page}
                  pageSize={RULES_PAGE}
                  shown={rows.length}
                  total={filtered.length}
                  hasNext={(page + 1) * RULES_PAGE < filtered.length}
                  onPage={setPage}
                />
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

function CustomDetections() {
  const { can } = useSession();
  const responder = can('responder');
  const loaded = useApi<ODataList<CustomDetection>>('/api/detectionrules');
  const toggles = useToggles<CustomDetection>((id) => `/api/detectionrules/${encodeURIComponent(id)}`);
  const [expanded, setExpanded] = useState<string | null>(null);

  const columns: Column<CustomDetection>[] = [
    {
      key: 'enabled',
      header: 'Enabled',
      render: (r) => (
        <Switch
          checked={toggles.enabled(r)}
          label={`${r.name} enabled`}
          disabled={!responder}
          busy={toggles.busy[r.id]}
          onChange={(next) => toggles.toggle(r, next)}
        />
      ),
      sortValue: (r) => (toggles.enabled(r) ? 1 : 0),
    },
    {
      key: 'name',
      header: 'Detection',
      render: (r) => (
        <span>
          <span className="ent-strong">{r.name}</span>
          {r.description && (
            <>
              <br />
              <span className="muted small">{r.description}</span>
            </>
          )}
          <br />
          <button type="button" className="btn btn-small btn-quiet" aria-expanded={expanded === r.id} onClick={() => setExpanded(expanded === r.id ? null : r.id)}>
            {expanded === r.id ? 'Hide query' : 'Show query'}
          </button>
          {expanded === r.id && <pre className="ent-rule-query">{r.query}</pre>}
        </span>
      ),
      sortValue: (r) => r.name,
    },
    { key: 'severity', header: 'Severity', render: (r) => <SeverityBadge severity={r.severity} />, sortValue: (r) => r.severity },
    { key: 'category', header: 'Category', render: (r) => r.category, sortValue: (r) => r.category },
    { key: 'frequency', header: 'Runs', render: (r) => (r.frequency === '0' || /^0/.test(r.frequency ?? '') ? 'Continuous' : `Every ${r.frequency}`), sortValue: (r) => r.frequency },
    { key: 'techniques', header: 'Techniques', render: (r) => <span className="small">{(r.techniques ?? []).join(', ') || '—'}</span> },
    { key: 'origin', header: 'Origin', render: (r) => (r.origin === 'console' ? `Console (${r.createdBy || 'unknown'})` : 'Shipped content'), sortValue: (r) => r.origin },
  ];

  return (
    <section aria-labelledby="ent-custom-h">
      <h2 id="ent-custom-h">Custom detections (KQL)</h2>
      {loaded.error && isNotFound(loaded.error) ? (
        <NotAvailable what="The custom detection list" />
      ) : loaded.error ? (
        <ErrorState error={loaded.error} onRetry={loaded.reload} />
      ) : !loaded.data ? (
        <Loading what="Loading custom detections" />
      ) : loaded.data.value.length === 0 ? (
        <Empty>No custom detections yet. Create one from a query on the Advanced hunting page.</Empty>
      ) : (
        <>
          {!responder && <p className="muted small">Switching custom detections needs the responder role.</p>}
          <FormError error={toggles.error} />
          <DataTable rows={loaded.data.value} columns={columns} rowKey={(r) => r.id} label="Custom detections" />
        </>
      )}
    </section>
  );
}
