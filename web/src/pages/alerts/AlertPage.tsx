// One alert: what fired (the detection rule), on what (evidence), from which event (the raw
// row), and its triage (status, assignment, classification, comments).
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { useApi } from '../../api/useApi';
import type { Alert, Entity, Incident } from '../../api/types';
import { useSession } from '../../auth/session';
import { SeverityBadge, StatusBadge } from '../../components/Badges';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, FormError, Loading } from '../../components/States';
import { SelectField } from '../../components/SelectField';
import { Time } from '../../components/Time';
import { ALERT_STATUSES, CLASSIFICATIONS, DETERMINATIONS, label, mitreUrl, userLabel } from './model';
import './alerts.css';
import { useSubmit } from '../../components/useSubmit';

export interface DetectionRule {
  id?: string | null;
  title?: string | null;
  author?: string | null;
  link?: string | null;
  license?: string | null;
  kind?: string | null;
}

export interface SourceEvent {
  table?: string | null;
  reportId?: string | number | null;
  time?: string | null;
  raw?: Record<string, unknown> | null;
}

export type AlertDetail = Alert & {
  detectionRule?: DetectionRule | null;
  sourceEvent?: SourceEvent | null;
};

export default function AlertPage() {
  const { id = '' } = useParams();
  const alert = useApi<AlertDetail>(`/api/alerts/${encodeURIComponent(id)}`);
  const a = alert.data;

  if (alert.error) {
    return (
      <div className="alert-page">
        <PageHeader title="Alert" />
        <ErrorState error={alert.error} onRetry={alert.reload} />
        <p>
          <Link to="/alerts">Back to the alerts</Link>
        </p>
      </div>
    );
  }
  if (!a) return <Loading what="Loading the alert" />;

  return (
    <div className="alert-page">
      <p className="small">
        <Link to="/alerts">Alerts</Link> / <span className="muted mono">{a.id}</span>
      </p>
      <PageHeader title={a.title} />
      <div className="alert-head">
        <SeverityBadge severity={a.severity} />
        <StatusBadge status={a.status} />
        {a.classification && a.classification !== 'Unknown' && <span className="badge status">{label(a.classification)}</span>}
        {a.incidentId && (
          <Link to={`/incidents/${a.incidentId}`} className="small">
            Incident #{a.incidentId}
          </Link>
        )}
      </div>
      <div className="alert-layout">
        <div className="stack">
          <Overview alert={a} />
          <RulePanel alert={a} />
          <EvidencePanel alert={a} />
          <RawEventPanel event={a.sourceEvent} />
        </div>
        <div className="stack">
          <ManagePanel alert={a} onSaved={alert.reload} />
          <CommentsPanel alert={a} onSaved={alert.reload} />
        </div>
      </div>
    </div>
  );
}

function Overview({ alert: a }: { alert: AlertDetail }) {
  return (
    <section className="panel" aria-labelledby="alert-overview">
      <h2 id="alert-overview">Overview</h2>
      {a.description ? <p className="description">{a.description}</p> : <p className="muted">No description.</p>}
      <dl className="facts">
        <dt>Category</dt>
        <dd>{label(a.category) || '—'}</dd>
        <dt>Detection source</dt>
        <dd>{label(a.detectionSource) || '—'}</dd>
        <dt>Detector</dt>
        <dd className="mono">{a.detectorId || '—'}</dd>
        <dt>MITRE techniques</dt>
        <dd>
          {a.mitreTechniques?.length ? (
            <ul className="technique-list">
              {a.mitreTechniques.map((t) => {
                const url = mitreUrl(t);
                return (
                  <li key={t} className="mono">
                    {url ? (
                      <a href={url} target="_blank" rel="noopener noreferrer">
                        {t}
                      </a>
                    ) : (
                      t
                    )}
                  </li>
                );
              })}
            </ul>
          ) : (
            <span className="muted">None</span>
          )}
        </dd>
        <dt>Device</dt>
        <dd>
          {a.machineId ? (
            <Link to={`/devices/${encodeURIComponent(a.machineId)}`}>{a.computerDnsName ?? a.machineId}</Link>
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
        <dt>User</dt>
        <dd>{a.relatedUser ? userLabel(a.relatedUser) : <span className="muted">—</span>}</dd>
        <dt>Incident</dt>
        <dd>{a.incidentId ? <Link to={`/incidents/${a.incidentId}`}>#{a.incidentId}</Link> : <span className="muted">—</span>}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={a.alertCreationTime} />
        </dd>
        <dt>First activity</dt>
        <dd>
          <Time value={a.firstEventTime} />
        </dd>
        <dt>Last activity</dt>
        <dd>
          <Time value={a.lastEventTime} />
        </dd>
        <dt>Last updated</dt>
        <dd>
          <Time value={a.lastUpdateTime} />
        </dd>
        {typeof a.resolvedTime === 'string' && (
          <>
            <dt>Resolved</dt>
            <dd>
              <Time value={a.resolvedTime} />
            </dd>
          </>
        )}
        <dt>Investigation</dt>
        <dd>{label(a.investigationState) || '—'}</dd>
      </dl>
    </section>
  );
}

// Only http(s) links are shown as links: a rule file could carry anything in its reference.
function safeUrl(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

function RulePanel({ alert: a }: { alert: AlertDetail }) {
  const rule = a.detectionRule;
  const link = safeUrl(rule?.link);
  return (
    <section className="panel" aria-labelledby="alert-rule">
      <h2 id="alert-rule">Detection rule</h2>
      {!rule ? (
        <p className="muted">
          No rule details for this alert{a.detectorId ? ` (detector ${a.detectorId})` : ''}.
        </p>
      ) : (
        <dl className="facts">
          <dt>Rule</dt>
          <dd>{rule.title || <span className="muted">untitled</span>}</dd>
          <dt>Kind</dt>
          <dd>{rule.kind ? label(rule.kind === 'sigma' ? 'Sigma' : rule.kind) : '—'}</dd>
          {rule.id && (
            <>
              <dt>Rule ID</dt>
              <dd className="mono">{rule.id}</dd>
            </>
          )}
          {(rule.kind === 'sigma' || rule.author) && (
            <>
              <dt>Author</dt>
              <dd>{rule.author || <span className="muted">not stated</span>}</dd>
            </>
          )}
          {rule.license && (
            <>
              <dt>License</dt>
              <dd>{rule.license}</dd>
            </>
          )}
          {link && (
            <>
              <dt>Reference</dt>
              <dd>
                <a href={link} target="_blank" rel="noopener noreferrer">
                  {rule.kind === 'sigma' ? 'Sigma rule reference' : 'Rule reference'}
                </a>{' '}
                <span className="muted small">({new URL(link).host})</span>
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}

const ENTITY_SKIP = new Set(['entityType', 'evidenceCreationTime']);

// The main value of an entity (what an analyst would search for).
export function entitySummary(e: Entity): string {
  const pick = (...keys: string[]) => {
    for (const k of keys) {
      const v = e[k];
      if (v !== null && v !== undefined && v !== '') return String(v);
    }
    return '';
  };
  const account = e.accountName ? (e.domainName ? `${e.domainName}\\${e.accountName}` : String(e.accountName)) : '';
  return (
    pick('fileName', 'filePath', 'sha256', 'sha1') ||
    (e.processCommandLine ? String(e.processCommandLine) : '') ||
    pick('ipAddress', 'url') ||
    account ||
    pick('userPrincipalName', 'userSid', 'mailboxAddress', 'recipient', 'sender', 'subject', 'registryKey', 'deviceId')
  );
}

function fieldsOf(e: Entity): [string, string][] {
  return Object.entries(e)
    .filter(([k, v]) => !ENTITY_SKIP.has(k) && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
}

// Evidence from the incident (which lists entities per alert); without an incident, the
// device and user the alert names.
function EvidencePanel({ alert: a }: { alert: AlertDetail }) {
  const incident = useApi<Incident>(a.incidentId ? `/api/incidents/${a.incidentId}` : null);
  let entities: Entity[] | null = null;
  if (incident.data) {
    entities = incident.data.alerts?.find((x) => x.alertId === a.id)?.entities ?? null;
  }
  if (!entities && (!a.incidentId || incident.error || incident.data)) {
    entities = [];
    if (a.machineId) {
      entities.push({ entityType: 'Machine', deviceId: a.machineId, deviceDnsName: a.computerDnsName });
    }
    if (a.relatedUser) {
      entities.push({ entityType: 'User', accountName: a.relatedUser.userName, domainName: a.relatedUser.domainName });
    }
  }
  return (
    <section className="panel" aria-labelledby="alert-evidence">
      <h2 id="alert-evidence">Evidence</h2>
      {!entities ? (
        <Loading what="Loading evidence" />
      ) : entities.length === 0 ? (
        <p className="muted">No evidence entities recorded for this alert.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-label="Evidence">
            <thead>
              <tr>
                <th>Type</th>
                <th>Entity</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {entities.map((e, i) => {
                const summary = entitySummary(e);
                const fields = fieldsOf(e).filter(([, v]) => v !== summary);
                return (
                  <tr key={i}>
                    <td>{e.entityType}</td>
                    <td className="mono">
                      {e.entityType === 'Machine' && e.deviceId ? (
                        <Link to={`/devices/${encodeURIComponent(String(e.deviceId))}`}>
                          {String(e.deviceDnsName ?? e.deviceId)}
                        </Link>
                      ) : (
                        summary || <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      {fields.length ? (
                        <span className="evidence-details small">
                          {fields.map(([k, v]) => (
                            <span key={k}>
                              <span className="muted">{k}:</span> <span className="mono">{v}</span>
                            </span>
                          ))}
                        </span>
                      ) : (
                        <span className="muted small">no details</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function renderValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function RawEventPanel({ event }: { event: SourceEvent | null | undefined }) {
  const [json, setJson] = useState(false);
  const raw = event?.raw && typeof event.raw === 'object' ? event.raw : null;
  return (
    <section className="panel" aria-labelledby="alert-raw">
      <div className="row">
        <h2 id="alert-raw" style={{ flex: 1 }}>
          Source event
        </h2>
        {raw && (
          <button type="button" className="btn btn-small" aria-pressed={json} onClick={() => setJson((v) => !v)}>
            {json ? 'Show table' : 'Show JSON'}
          </button>
        )}
      </div>
      {!event ? (
        <p className="muted">The event that raised this alert is not available.</p>
      ) : (
        <>
          <dl className="facts">
            <dt>Table</dt>
            <dd className="mono">{event.table || '—'}</dd>
            <dt>ReportId</dt>
            <dd className="mono">{event.reportId ?? '—'}</dd>
            {event.time && (
              <>
                <dt>Time</dt>
                <dd>
                  <Time value={event.time} />
                </dd>
              </>
            )}
          </dl>
          {!raw ? (
            <p className="muted">No raw row.</p>
          ) : json ? (
            <pre className="raw-json" aria-label="Raw event JSON">
              {JSON.stringify(raw, null, 2)}
            </pre>
          ) : (
            <table className="kv-table" aria-label="Raw event">
              <tbody>
                {Object.entries(raw).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row" className="mono">
                      {k}
                    </th>
                    <td className="mono">{renderValue(v) || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function ManagePanel({ alert: a, onSaved }: { alert: AlertDetail; onSaved: () => void }) {
  const { can, user } = useSession();
  const editable = can('analyst');
  const initial = {
    status: a.status ?? 'New',
    assignedTo: a.assignedTo ?? '',
    classification: a.classification ?? 'Unknown',
    determination: a.determination ?? 'NotAvailable',
  };
  const [form, setForm] = useState(initial);
  const { busy, error, run } = useSubmit();
  const [saved, setSaved] = useState(false);
  const key = JSON.stringify(initial);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setForm(initial), [key]);

  const changes: Record<string, string> = {};
  if (form.status !== initial.status) changes.status = form.status;
  if (form.assignedTo.trim() !== initial.assignedTo) changes.assignedTo = form.assignedTo.trim();
  if (form.classification !== initial.classification) changes.classification = form.classification;
  if (form.determination !== initial.determination || (changes.classification && form.determination !== 'NotAvailable'))
    changes.determination = form.determination;

  const save = async () => {
    setSaved(false);
    await run(async () => {
      await api.patch(`/api/alerts/${encodeURIComponent(a.id)}`, changes);
      setSaved(true);
      onSaved();
    });
  };

  const determinations = DETERMINATIONS[form.classification] ?? ['NotAvailable'];
  return (
    <section className="panel" aria-labelledby="alert-manage">
      <h2 id="alert-manage">Manage alert</h2>
      {!editable && <p className="muted small">Your role can read this alert; triage needs the analyst role.</p>}
      <form
        className="edit-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <SelectField
          label="Status"
          disabled={!editable}
          value={form.status}
          onChange={(v) => setForm({ ...form, status: v })}
          options={ALERT_STATUSES}
          optionLabel={label}
        />
        <label>
          Assigned to
          <span className="row" style={{ flexWrap: 'nowrap' }}>
            <input
              disabled={!editable}
              value={form.assignedTo}
              placeholder="Unassigned"
              onChange={(e) => setForm({ ...form, assignedTo: e.target.value })}
            />
            {editable && user && (
              <button type="button" className="btn btn-small" onClick={() => setForm({ ...form, assignedTo: user.name })}>
                Me
              </button>
            )}
          </span>
        </label>
        <SelectField
          label="Classification"
          disabled={!editable}
          value={form.classification}
          onChange={(v) => setForm({ ...form, classification: v, determination: 'NotAvailable' })}
          options={CLASSIFICATIONS}
          optionLabel={label}
        />
        <label>
          Determination
          <select
            disabled={!editable || form.classification === 'Unknown'}
            value={determinations.includes(form.determination) ? form.determination : 'NotAvailable'}
            onChange={(e) => setForm({ ...form, determination: e.target.value })}
          >
            {determinations.map((d) => (
              <option key={d} value={d}>
                {label(d)}
              </option>
            ))}
          </select>
        </label>
        {editable && (
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy || Object.keys(changes).length === 0}>
              {busy ? 'Saving…' : 'Save'}
            </button>
            {Object.keys(changes).length > 0 && (
              <button type="button" className="btn btn-quiet" onClick={() => setForm(initial)}>
                Undo changes
              </button>
            )}
            {saved && Object.keys(changes).length === 0 && (
              <span role="status" className="small muted">
                Saved.
              </span>
            )}
          </div>
        )}
        <FormError error={error} />
      </form>
    </section>
  );
}

function CommentsPanel({ alert: a, onSaved }: { alert: AlertDetail; onSaved: () => void }) {
  const { can } = useSession();
  const [text, setText] = useState('');
  const { busy, error, run } = useSubmit();
  const comments = a.comments ?? [];

  const add = async () => {
    await run(async () => {
      await api.patch(`/api/alerts/${encodeURIComponent(a.id)}`, { comment: text.trim() });
      setText('');
      onSaved();
    });
  };

  return (
    <section className="panel" aria-labelledby="alert-comments">
      <h2 id="alert-comments">Comments ({comments.length})</h2>
      {comments.length === 0 ? (
        <Empty>No comments yet.</Empty>
      ) : (
        <ul className="comment-list">
          {comments.map((c, i) => (
            <li key={i}>
              <div className="small muted">
                {c.createdBy} · <Time value={c.createdTime} />
              </div>
              <div style={{ whiteSpace: 'pre-wrap' }}>{c.comment}</div>
            </li>
          ))}
        </ul>
      )}
      {can('analyst') && (
        <form
          className="edit-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) void add();
          }}
        >
          <label>
            New comment
            <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <div>
            <button type="submit" className="btn" disabled={busy || !text.trim()}>
              {busy ? 'Adding…' : 'Add comment'}
            </button>
          </div>
          <FormError error={error} />
        </form>
      )}
    </section>
  );
}
