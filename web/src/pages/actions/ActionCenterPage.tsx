// Action center: remediation actions awaiting approval, the history (with undo), and device
// actions (cancel while pending). Deciding needs the responder role.
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { api, type ODataList } from '../../api/client';
import { useApi } from '../../api/useApi';
import type { MachineAction, ResponseAction } from '../../api/types';
import { useSession } from '../../auth/session';
import { StatusBadge } from '../../components/Badges';
import { DataTable, type Column } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { CommentDialog } from '../../components/Dialog';
import { TabPanel, Tabs, useTab } from '../../components/Tabs';
import { actionLabel, canUndo, describeTarget, usToIso } from './model';
import './actions.css';

type Tab = 'pending' | 'history' | 'devices';
const TAB_IDS: Tab[] = ['pending', 'history', 'devices'];
const TABS: { id: Tab; label: string }[] = [
  { id: 'pending', label: 'Pending' },
  { id: 'history', label: 'History' },
  { id: 'devices', label: 'Device actions' },
];

interface Outcome {
  ok: boolean;
  text: string;
}

// What a dialog is about to do.
type Pending =
  | { kind: 'approve'; ids: number[] }
  | { kind: 'reject'; ids: number[] }
  | { kind: 'undo'; action: ResponseAction }
  | { kind: 'cancel'; action: MachineAction };

export default function ActionCenterPage() {
  const [tab, setTab] = useTab<Tab>(TAB_IDS, 'pending');
  const { can } = useSession();
  const responder = can('responder');
  const [dialog, setDialog] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [search, setSearch] = useState('');

  const pending = useApi<ODataList<ResponseAction>>(tab === 'pending' ? '/api/actioncenter/pending' : null);
  const history = useApi<ODataList<ResponseAction>>(tab === 'history' ? '/api/actioncenter/history' : null);
  const devices = useApi<ODataList<MachineAction>>(tab === 'devices' ? '/api/machineactions' : null);

  const selectTab = (next: Tab) => {
    setTab(next);
    setSelected(new Set());
    setOutcomes([]);
  };

  const run = async (comment: string) => {
    if (!dialog) return;
    setBusy(true);
    const results: Outcome[] = [];
    try {
      if (dialog.kind === 'approve' || dialog.kind === 'reject') {
        for (const id of dialog.ids) {
          try {
            const done = await api.post<ResponseAction>(`/api/actions/${id}/${dialog.kind}`, comment ? { comment } : {});
            const verb = dialog.kind === 'approve' ? 'approved' : 'rejected';
            const next =
              dialog.kind === 'reject' || !done?.status
                ? ''
                : done.status === 'Pending'
                  ? '; it is queued for its connector'
                  : `; status ${done.status}`;
            results.push({ ok: true, text: `Action ${id} ${verb}${next}.` });
          } catch (e) {
            results.push({ ok: false, text: `Action ${id}: ${(e as Error).message}` });
          }
        }
        setSelected(new Set());
        pending.reload();
      } else if (dialog.kind === 'undo') {
        const id = dialog.action.id;
        try {
          const created = await api.post<ResponseAction>(`/api/actions/${id}/undo`, comment ? { comment } : {});
          results.push({
            ok: true,
            text: `Action ${id} undone: action ${created?.id ?? '?'} (${actionLabel(created?.type ?? 'undo')}) was queued.`,
          });
        } catch (e) {
          results.push({ ok: false, text: `Undo of action ${id}: ${(e as Error).message}` });
        }
        history.reload();
      } else {
        const id = dialog.action.id;
        try {
          await api.post(`/api/machineactions/${encodeURIComponent(id)}/cancel`, { Comment: comment });
          results.push({ ok: true, text: `Device action ${id} cancelled.` });
        } catch (e) {
          results.push({ ok: false, text: `Cancel of device action ${id}: ${(e as Error).message}` });
        }
        devices.reload();
      }
    } finally {
      setBusy(false);
    }
    setOutcomes(results);
    setDialog(null);
  };

  const dialogView = dialog && <ActionDialog dialog={dialog} busy={busy} onConfirm={run} onClose={() => setDialog(null)} />;

  return (
    <>
      <div className="action-page" inert={dialog !== null} aria-hidden={dialog !== null || undefined}>
        <PageHeader title="Action center">
          <label>
            Filter
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="type, target, reason…" />
          </label>
          <button
            type="button"
            className="btn"
            onClick={() => (tab === 'pending' ? pending : tab === 'history' ? history : devices).reload()}
          >
            Refresh
          </button>
        </PageHeader>
        <Tabs
          tabs={TABS.map((t) => ({
            id: t.id,
            label: t.id === 'pending' && pending.data ? `${t.label} (${pending.data.value.length})` : t.label,
          }))}
          active={tab}
          onChange={selectTab}
          label="Action views"
          idPrefix="action"
        />
        {!responder && (
          <p className="muted small">Your role can view actions; approving, rejecting, undoing and cancelling need the responder role.</p>
        )}
        {outcomes.length > 0 && (
          <div className={`notice${outcomes.some((o) => !o.ok) ? ' notice-error' : ''}`} role="status">
            <div className="row">
              <strong style={{ flex: 1 }}>
                {outcomes.filter((o) => o.ok).length} done
                {outcomes.some((o) => !o.ok) && `, ${outcomes.filter((o) => !o.ok).length} failed`}
              </strong>
              <button type="button" className="btn btn-small btn-quiet" onClick={() => setOutcomes([])}>
                Dismiss
              </button>
            </div>
            <ul className="result-list">
              {outcomes.map((o, i) => (
                <li key={i} className={o.ok ? undefined : 'form-error'}>
                  {o.text}
                </li>
              ))}
            </ul>
          </div>
        )}
        <TabPanel idPrefix="action" active={tab}>
          {tab === 'pending' && (
            <ResponseList
              loaded={pending}
              search={search}
              kind="pending"
              responder={responder}
              selected={selected}
              onSelect={setSelected}
              onDecide={(kind, ids) => {
                setDialog({ kind, ids });
              }}
              onUndo={() => undefined}
            />
          )}
          {tab === 'history' && (
            <ResponseList
              loaded={history}
              search={search}
              kind="history"
              responder={responder}
              selected={selected}
              onSelect={setSelected}
              onDecide={() => undefined}
              onUndo={(action) => {
                setDialog({ kind: 'undo', action });
              }}
            />
          )}
          {tab === 'devices' && (
            <DeviceActions
              loaded={devices}
              search={search}
              responder={responder}
              onCancel={(action) => {
                setDialog({ kind: 'cancel', action });
              }}
            />
          )}
        </TabPanel>
      </div>
      {dialogView}
    </>
  );
}

function ActionDialog({
  dialog,
  busy,
  onConfirm,
  onClose,
}: {
  dialog: Pending;
  busy: boolean;
  onConfirm: (comment: string) => void;
  onClose: () => void;
}) {
  if (dialog.kind === 'approve' || dialog.kind === 'reject') {
    const n = dialog.ids.length;
    const what = n === 1 ? `action ${dialog.ids[0]}` : `${n} actions`;
    return (
      <CommentDialog
        title={dialog.kind === 'approve' ? `Approve ${what}` : `Reject ${what}`}
        message={
          dialog.kind === 'approve'
            ? 'Approved actions are sent to their connectors and run on the targets.'
            : 'Rejected actions do not run.'
        }
        confirm={dialog.kind === 'approve' ? 'Approve' : 'Reject'}
        danger={dialog.kind === 'reject'}
        busy={busy}
        onConfirm={onConfirm}
        onClose={onClose}
      />
    );
  }
  if (dialog.kind === 'undo') {
    return (
      <CommentDialog
        title={`Undo action ${dialog.action.id}`}
        message={`A reverse action is queued for ${describeTarget(dialog.action.target).text} (${actionLabel(dialog.action.type)}).`}
        confirm="Undo"
        commentLabel={null}
        busy={busy}
        onConfirm={onConfirm}
        onClose={onClose}
      />
    );
  }
  return (
    <CommentDialog
      title={`Cancel device action ${dialog.action.id}`}
      message={`${actionLabel(dialog.action.type)} on ${dialog.action.computerDnsName ?? dialog.action.machineId ?? 'the device'}.`}
      confirm="Cancel action"
      dismiss="Keep it"
      commentLabel="Reason (required)"
      requireComment
      danger
      busy={busy}
      onConfirm={onConfirm}
      onClose={onClose}
    />
  );
}

function matches(search: string, ...values: (string | number | null | undefined)[]): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return values.some((v) => v !== null && v !== undefined && String(v).toLowerCase().includes(needle));
}

function TargetCell({ target }: { target: Record<string, string> }) {
  const t = describeTarget(target);
  return (
    <div className="action-target" title={t.hash ? `SHA256 ${t.hash}` : undefined}>
      <span>
        <span className="muted small">{t.kind}</span>{' '}
        {t.deviceId && t.kind === 'Device' ? (
          <Link to={`/devices/${encodeURIComponent(t.deviceId)}`} className="mono">
            {t.text}
          </Link>
        ) : (
          <span className="mono">{t.text}</span>
        )}
      </span>
      {t.detail && <span className="muted small">{t.detail}</span>}
    </div>
  );
}

function ResponseList({
  loaded,
  search,
  kind,
  responder,
  selected,
  onSelect,
  onDecide,
  onUndo,
}: {
  loaded: ReturnType<typeof useApi<ODataList<ResponseAction>>>;
  search: string;
  kind: 'pending' | 'history';
  responder: boolean;
  selected: Set<string>;
  onSelect: (s: Set<string>) => void;
  onDecide: (kind: 'approve' | 'reject', ids: number[]) => void;
  onUndo: (a: ResponseAction) => void;
}) {
  const rows = useMemo(
    () =>
      (loaded.data?.value ?? []).filter((a) =>
        matches(search, a.id, a.type, actionLabel(a.type), a.reason, a.source, a.requestor, describeTarget(a.target).text, a.status),
      ),
    [loaded.data, search],
  );
  if (loaded.error) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading what={kind === 'pending' ? 'Loading pending actions' : 'Loading the history'} />;
  if (loaded.data.value.length === 0)
    return <Empty>{kind === 'pending' ? 'No actions are waiting for approval.' : 'No actions yet.'}</Empty>;
  if (rows.length === 0) return <Empty>No action matches “{search}”.</Empty>;

  const columns: Column<ResponseAction>[] = [
    { key: 'id', header: 'ID', sortValue: (a) => a.id, render: (a) => <span className="mono">{a.id}</span> },
    {
      key: 'type',
      header: 'Action and reason',
      sortValue: (a) => a.type,
      render: (a) => (
        <div className="action-reason">
          <span className="action-type" title={a.type}>
            {actionLabel(a.type)}
          </span>
          {a.reason ? (
            <div className="muted small">{a.reason}</div>
          ) : a.undoOf ? (
            <div className="muted small">undo of action {a.undoOf}</div>
          ) : null}
        </div>
      ),
    },
    { key: 'target', header: 'Target', sortValue: (a) => describeTarget(a.target).text, render: (a) => <TargetCell target={a.target} /> },
    {
      key: 'source',
      header: 'Source',
      sortValue: (a) => a.source,
      render: (a) => (
        <span>
          {a.source}
          {a.requestor && <div className="muted small">by {a.requestor}</div>}
        </span>
      ),
    },
    {
      key: 'incident',
      header: 'Incident',
      sortValue: (a) => a.incidentId,
      render: (a) => (a.incidentId ? <Link to={`/incidents/${a.incidentId}`}>#{a.incidentId}</Link> : <span className="muted">—</span>),
    },
    {
      key: 'status',
      header: kind === 'pending' ? 'Approval' : 'Status',
      sortValue: (a) => (kind === 'pending' ? a.approval : a.status),
      render: (a) =>
        kind === 'pending' ? (
          <StatusBadge status={a.approval} />
        ) : (
          <span className="status-stack">
            <StatusBadge status={a.status} />
            {a.approval && a.approval !== 'NotRequired' && <StatusBadge status={a.approval} />}
            {a.undoneBy ? <div className="muted small">undone by {a.undoneBy}</div> : null}
          </span>
        ),
    },
    {
      key: 'created',
      header: 'Created / updated',
      sortValue: (a) => a.createdUs,
      render: (a) => (
        <span className="action-times">
          <Time value={usToIso(a.createdUs)} />
          {a.updatedUs && a.updatedUs !== a.createdUs ? (
            <span className="muted small">
              updated <Time value={usToIso(a.updatedUs)} />
            </span>
          ) : null}
        </span>
      ),
    },
  ];
  if (kind === 'history') {
    columns.push({
      key: 'outcome',
      header: 'Result and decision',
      sortValue: (a) => a.resultMessage || a.decidedBy,
      render: (a) => (
        <div className="action-outcome">
          {a.resultMessage ? <span>{a.resultMessage}</span> : !a.decidedBy && <span className="muted">—</span>}
          {a.decidedBy && (
            <span className="muted small">
              {a.approval === 'Rejected' ? 'rejected' : 'decided'} by {a.decidedBy}
              {a.decisionComment && `: “${a.decisionComment}”`}
            </span>
          )}
        </div>
      ),
    });
  }
  if (responder) {
    columns.push({
      key: 'buttons',
      header: '',
      render: (a): ReactNode =>
        kind === 'pending' ? (
          <span className="action-buttons">
            <button type="button" className="btn btn-small" onClick={() => onDecide('approve', [a.id])}>
              Approve
            </button>
            <button type="button" className="btn btn-small btn-danger" onClick={() => onDecide('reject', [a.id])}>
              Reject
            </button>
          </span>
        ) : canUndo(a) ? (
          <button type="button" className="btn btn-small" onClick={() => onUndo(a)}>
            Undo
          </button>
        ) : null,
    });
  }

  const chosen = rows.filter((a) => selected.has(String(a.id))).map((a) => a.id);
  return (
    <>
      {kind === 'pending' && responder && (
        <div className="bulk-actions" aria-label="Selected actions">
          <span className="muted">{chosen.length ? `${chosen.length} selected` : 'Select actions to decide several at once'}</span>
          <button type="button" className="btn btn-small" disabled={!chosen.length} onClick={() => onDecide('approve', chosen)}>
            Approve selected
          </button>
          <button type="button" className="btn btn-small btn-danger" disabled={!chosen.length} onClick={() => onDecide('reject', chosen)}>
            Reject selected
          </button>
        </div>
      )}
      <DataTable
        label={kind === 'pending' ? 'Pending actions' : 'Action history'}
        rows={rows}
        columns={columns}
        rowKey={(a) => String(a.id)}
        selected={kind === 'pending' && responder ? selected : undefined}
        onSelect={kind === 'pending' && responder ? onSelect : undefined}
      />
    </>
  );
}

const CANCELLABLE = new Set(['Pending', 'InProgress']);

function DeviceActions({
  loaded,
  search,
  responder,
  onCancel,
}: {
  loaded: ReturnType<typeof useApi<ODataList<MachineAction>>>;
  search: string;
  responder: boolean;
  onCancel: (a: MachineAction) => void;
}) {
  const rows = useMemo(
    () =>
      (loaded.data?.value ?? []).filter((a) =>
        matches(search, a.id, a.type, actionLabel(a.type), a.computerDnsName, a.requestor, a.requestorComment, a.status),
      ),
    [loaded.data, search],
  );
  if (loaded.error) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading what="Loading device actions" />;
  if (loaded.data.value.length === 0) return <Empty>No device actions yet.</Empty>;
  if (rows.length === 0) return <Empty>No device action matches “{search}”.</Empty>;
  const columns: Column<MachineAction>[] = [
    { key: 'id', header: 'ID', sortValue: (a) => Number(a.id) || a.id, render: (a) => <span className="mono">{a.id}</span> },
    { key: 'type', header: 'Action', sortValue: (a) => a.type, render: (a) => <span className="nowrap">{actionLabel(a.type)}</span> },
    {
      key: 'device',
      header: 'Device',
      sortValue: (a) => a.computerDnsName,
      render: (a) =>
        a.machineId ? (
          <Link to={`/devices/${encodeURIComponent(a.machineId)}`}>{a.computerDnsName ?? a.machineId}</Link>
        ) : (
          <span className="muted">{a.computerDnsName ?? '—'}</span>
        ),
    },
    { key: 'status', header: 'Status', sortValue: (a) => a.status, render: (a) => <StatusBadge status={a.status} /> },
    {
      key: 'requestor',
      header: 'Requested by',
      sortValue: (a) => a.requestor,
      render: (a) => (
        <span>
          {a.requestor}
          {a.requestorComment && <div className="muted small action-reason">{a.requestorComment}</div>}
        </span>
      ),
    },
    {
      key: 'created',
      header: 'Created / updated',
      sortValue: (a) => a.creationDateTimeUtc,
      render: (a) => (
        <span className="action-times">
          <Time value={a.creationDateTimeUtc} />
          {a.lastUpdateDateTimeUtc && a.lastUpdateDateTimeUtc !== a.creationDateTimeUtc ? (
            <span className="muted small">
              updated <Time value={a.lastUpdateDateTimeUtc} />
            </span>
          ) : null}
        </span>
      ),
    },
  ];
  if (responder) {
    columns.push({
      key: 'buttons',
      header: '',
      render: (a) =>
        CANCELLABLE.has(a.status) ? (
          <button type="button" className="btn btn-small" onClick={() => onCancel(a)}>
            Cancel
          </button>
        ) : null,
    });
  }
  return <DataTable label="Device actions" rows={rows} columns={columns} rowKey={(a) => a.id} />;
}
