// The incident page's simpler tabs: its alerts, the assets it touches, and its comments.
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import type { Incident, IncidentAlert, Story } from '../../api/types';
import { useSession } from '../../auth/session';
import { DomainBadge, SeverityBadge, StatusBadge } from '../../components/Badges';
import { DataTable, type Column } from '../../components/DataTable';
import { Empty, FormError } from '../../components/States';
import { Time } from '../../components/Time';
import { humanize, severityRank } from './model';
import { TypeIcon } from './storyIcons';
import { incidentAssets, type Asset } from './storyModel';

export function AlertsTab({ incident }: { incident: Incident }) {
  const navigate = useNavigate();
  const alerts = useMemo(
    () => [...(incident.alerts ?? [])].sort((a, b) => String(a.firstActivity).localeCompare(String(b.firstActivity))),
    [incident],
  );
  if (alerts.length === 0) return <Empty>This incident has no alerts.</Empty>;
  const columns: Column<IncidentAlert>[] = [
    {
      key: 'title',
      header: 'Alert',
      sortValue: (a) => a.title,
      render: (a) => (
        <Link to={`/alerts/${encodeURIComponent(a.alertId)}`} title={a.alertId}>
          {a.title}
        </Link>
      ),
    },
    { key: 'severity', header: 'Severity', sortValue: (a) => severityRank(a.severity), render: (a) => <SeverityBadge severity={a.severity} /> },
    { key: 'domain', header: 'Domain', sortValue: (a) => a.serviceSource, render: (a) => <DomainBadge domain={a.serviceSource} /> },
    { key: 'detection', header: 'Detection source', sortValue: (a) => a.detectionSource, render: (a) => a.detectionSource },
    { key: 'category', header: 'Category', sortValue: (a) => a.category, render: (a) => humanize(a.category) },
    { key: 'status', header: 'Status', sortValue: (a) => a.status, render: (a) => <StatusBadge status={a.status} /> },
    {
      key: 'devices',
      header: 'Devices',
      render: (a) =>
        (a.devices ?? []).length === 0 ? (
          <span className="muted">—</span>
        ) : (
          (a.devices ?? []).map((d) => (
            <div key={`${d.mdatpDeviceId}-${d.deviceDnsName}`} title={d.deviceDnsName} className="nowrap">
              {d.deviceDnsName.split('.')[0]}
            </div>
          ))
        ),
    },
    { key: 'time', header: 'First activity', sortValue: (a) => a.firstActivity, render: (a) => (
        <span className="nowrap">
          <Time value={a.firstActivity} />
        </span>
      ) },
  ];
  return (
    <DataTable
      label="Alerts of the incident"
      rows={alerts}
      columns={columns}
      rowKey={(a) => a.alertId}
      onOpen={(a) => navigate(`/alerts/${encodeURIComponent(a.alertId)}`)}
    />
  );
}

const ASSET_GROUPS: { kind: Asset['kind']; title: string; type: string }[] = [
  { kind: 'device', title: 'Devices', type: 'Machine' },
  { kind: 'user', title: 'Users', type: 'User' },
  { kind: 'mailbox', title: 'Mailboxes', type: 'Mailbox' },
  { kind: 'cloudapp', title: 'Cloud apps', type: 'CloudApplication' },
];

export function AssetsTab({ incident, story }: { incident: Incident; story: Story | undefined }) {
  const assets = useMemo(() => incidentAssets(incident, story), [incident, story]);
  return (
    <div className="assets-grid">
      {ASSET_GROUPS.map((group) => {
        const list = assets.filter((a) => a.kind === group.kind);
        return (
          <section key={group.kind} className="panel" aria-labelledby={`assets-${group.kind}`}>
            <h2 id={`assets-${group.kind}`} className="asset-title">
              <TypeIcon type={group.type} /> {group.title} <span className="muted">({list.length})</span>
            </h2>
            {list.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="asset-list">
                {list.map((asset) => (
                  <li key={`${asset.kind}-${asset.name}`}>
                    {asset.link ? <Link to={asset.link}>{asset.name}</Link> : <span>{asset.name}</span>}
                    <span className="muted small">
                      {' '}
                      · {asset.alertIds.size} alert{asset.alertIds.size === 1 ? '' : 's'}
                    </span>
                    {asset.aliases.length > 0 && <div className="muted small">also seen as {asset.aliases.join(', ')}</div>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
      {!story && <p className="muted small">The attack story is not loaded; assets come from the alerts only.</p>}
    </div>
  );
}

export function CommentsTab({ incident, onAdded }: { incident: Incident; onAdded: () => void }) {
  const { can } = useSession();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const comments = [...(incident.comments ?? [])].sort((a, b) => String(b.createdTime).localeCompare(String(a.createdTime)));

  const add = async () => {
    const comment = text.trim();
    if (!comment) return;
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/api/incidents/${incident.incidentId}`, { comment });
      setText('');
      onAdded();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="comments">
      {can('analyst') && (
        <form
          className="panel comment-form"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <label className="block-label">
            New comment
            <textarea
              rows={3}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void add();
              }}
            />
          </label>
          <FormError error={error} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy || !text.trim()}>
              {busy ? 'Adding…' : 'Add comment'}
            </button>
            <span className="muted small">Ctrl+Enter adds it too.</span>
          </div>
        </form>
      )}
      {comments.length === 0 ? (
        <Empty>No comments yet.</Empty>
      ) : (
        <ol className="comment-list" aria-label="Comments">
          {comments.map((c, i) => (
            <li key={`${c.createdTime}-${i}`} className="panel">
              <div className="comment-meta">
                <strong>{c.createdBy}</strong> <Time value={c.createdTime} />
              </div>
              <p className="comment-text">{c.comment}</p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
