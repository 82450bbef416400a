// The "Actions" tab of a device or user: machine actions and action-center entries, merged.
import { Link } from 'react-router-dom';
import { DataTable, type Column } from '../../components/DataTable';
import { StatusBadge } from '../../components/Badges';
import { Empty } from '../../components/States';
import { Time } from '../../components/Time';
import type { ActionRow } from './common';

const columns: Column<ActionRow>[] = [
  { key: 'created', header: 'Requested', render: (r) => <span className="ent-nowrap"><Time value={r.created} /></span>, sortValue: (r) => r.created },
  { key: 'type', header: 'Action', render: (r) => r.type, sortValue: (r) => r.type },
  {
    key: 'status',
    header: 'Status',
    render: (r) => (
      <span className="row">
        <StatusBadge status={r.status} />
        {r.approval && !/^(notrequired|none)$/i.test(r.approval) && r.approval.toLowerCase() !== r.status.toLowerCase() && (
          <span className="muted small">approval: {r.approval}</span>
        )}
      </span>
    ),
    sortValue: (r) => r.status,
  },
  { key: 'target', header: 'Target', render: (r) => <span className="ent-wrap ent-cell-wide">{r.target}</span> },
  { key: 'requestor', header: 'Requested by', render: (r) => r.requestor, sortValue: (r) => r.requestor },
  { key: 'comment', header: 'Comment / reason', render: (r) => <span className="ent-wrap ent-cell-wide">{r.comment}</span> },
  {
    key: 'incident',
    header: 'Incident',
    render: (r) => (r.incidentId ? <Link to={`/incidents/${r.incidentId}`}>#{r.incidentId}</Link> : <span className="muted">—</span>),
  },
  { key: 'updated', header: 'Updated', render: (r) => <Time value={r.updated} relative />, sortValue: (r) => r.updated },
];

// Actions a connector has not finished yet can still be cancelled.
export function isCancellable(row: ActionRow): boolean {
  return /^(pending|inprogress)$/i.test(row.status);
}

export function ActionsTable({
  rows,
  label,
  emptyText,
  onCancel,
}: {
  rows: ActionRow[];
  label: string;
  emptyText: string;
  // Given (responders): a Cancel button on actions that have not finished.
  onCancel?: (row: ActionRow) => void;
}) {
  if (rows.length === 0) return <Empty>{emptyText}</Empty>;
  const shown: Column<ActionRow>[] = onCancel
    ? [
        ...columns,
        {
          key: 'cancel',
          header: '',
          render: (r) =>
            isCancellable(r) ? (
              <button type="button" className="btn btn-small" onClick={() => onCancel(r)}>
                Cancel
              </button>
            ) : null,
        },
      ]
    : columns;
  return (
    <>
      <DataTable rows={rows} columns={shown} rowKey={(r) => r.id} label={label} />
      <p className="muted small">
        Approve, reject or undo actions in the <Link to="/actions">action center</Link>.
      </p>
    </>
  );
}
