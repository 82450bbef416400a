// "Evidence & response" tab: the automated investigation of the incident (state, each entity's
// verdict with its reasons, the log) and the response actions proposed for it, which a
// responder approves, rejects or undoes after confirming in a small dialog.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api, withQuery, type ODataList } from '../../api/client';
import { useApi } from '../../api/useApi';
import type { Investigation, ResponseAction, Story } from '../../api/types';
import { useSession } from '../../auth/session';
import { StatusBadge, VerdictBadge } from '../../components/Badges';
import { Dialog, DialogButtons } from '../../components/Dialog';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { humanize } from './model';
import { TypeIcon } from './storyIcons';
import { evidenceName, typeLabel } from './storyModel';

const VERDICT_ORDER = ['Malicious', 'Suspicious', 'Unknown', 'NoThreatsFound'];
const verdictRank = (v: string) => {
  const i = VERDICT_ORDER.indexOf(v);
  return i < 0 ? VERDICT_ORDER.length : i;
};
// Actions that a succeeded run can be reversed for (docs/RESPONSE.md).
const UNDOABLE = new Set(['IsolateDevice', 'StopAndQuarantineFile', 'RestrictCodeExecution', 'DisableUser', 'BlockCloudApp']);

type Verb = 'approve' | 'reject' | 'undo';
const VERB_LABEL: Record<Verb, string> = { approve: 'Approve', reject: 'Reject', undo: 'Undo' };
const VERB_DONE: Record<Verb, string> = { approve: 'approved', reject: 'rejected', undo: 'undone (a reversing action was queued)' };

export async function loadInvestigations(incidentId: number, signal?: AbortSignal): Promise<Investigation[]> {
  let list: ODataList<Investigation>;
  try {
    list = await api.get(withQuery('/api/investigations', { $filter: `incidentId eq ${incidentId}` }), signal);
  } catch (e) {
    // A server without $filter on investigations: read them all and pick.
    if (!(e instanceof ApiError) || e.status !== 400) throw e;
    list = await api.get('/api/investigations', signal);
  }
  const mine = list.value.filter((i) => i.incidentId === incidentId);
  return Promise.all(mine.map((i) => api.get<Investigation>(`/api/investigations/${i.id}`, signal)));
}

export function targetText(target: Record<string, string> | undefined): { main: string; detail: string } {
  if (!target) return { main: '—', detail: '' };
  const pick = (...keys: string[]) => keys.map((k) => target[k]).find((v) => v);
  let main: string | undefined;
  switch (target.entityType) {
    case 'Machine':
      main = pick('deviceName', 'deviceId');
      break;
    case 'User':
      main = pick('accountUpn', 'userPrincipalName', 'accountName', 'accountSid');
      break;
    case 'MailMessage':
    case 'Mailbox':
      main = pick('sender', 'recipient', 'networkMessageId', 'mailbox');
      break;
    default:
      main = pick('url', 'ipAddress', 'fileName', 'filePath', 'sha256', 'cloudApp', 'appName', 'indicatorValue', 'deviceName');
  }
  const on = target.entityType !== 'Machine' && target.deviceName && target.deviceName !== main ? `on ${target.deviceName}` : '';
  return {
    main: main ?? Object.values(target).filter(Boolean).join(', '),
    detail: [typeLabel(target.entityType ?? ''), on].filter(Boolean).join(' '),
  };
}

const usToIso = (us: number) => (us ? new Date(us / 1000).toISOString() : null);

interface Pending {
  action: ResponseAction;
  verb: Verb;
  opener: HTMLElement | null;
}

function ConfirmDialog({
  pending,
  onCancel,
  onDone,
}: {
  pending: Pending;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { action, verb } = pending;
  const target = targetText(action.target);
  const label = VERB_LABEL[verb];

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/actions/${action.id}/${verb}`, comment.trim() ? { comment: comment.trim() } : {});
      onDone(`Action ${action.id} (${humanize(action.type)} on ${target.main}) ${VERB_DONE[verb]}.`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`${label} action ${action.id}?`} onClose={onCancel} busy={busy}>
      <p>
        <strong>{humanize(action.type)}</strong> on <span className="mono">{target.main}</span>
        {target.detail && <span className="muted"> ({target.detail})</span>}
      </p>
      {action.reason && <p className="muted small">{action.reason}</p>}
      <form
        className="modal-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Comment (optional)
          <textarea rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        <DialogButtons confirm={label} danger={verb !== 'approve'} busy={busy} error={error} onCancel={onCancel} />
      </form>
    </Dialog>
  );
}

function EvidenceName({ entityKey, story }: { entityKey: string; story: Story | undefined }) {
  const { name, detail } = evidenceName(entityKey, story);
  return (
    <div title={entityKey}>
      <div className="break evidence-name">{name}</div>
      {detail && <div className="muted small mono break">{detail}</div>}
    </div>
  );
}

function InvestigationView({ investigation, story }: { investigation: Investigation; story: Story | undefined }) {
  const evidence = useMemo(
    () =>
      [...(investigation.evidence ?? [])].sort(
        (a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || a.entityKey.localeCompare(b.entityKey),
      ),
    [investigation],
  );
  const counts = VERDICT_ORDER.map((v) => ({ v, n: evidence.filter((e) => e.verdict === v).length })).filter((c) => c.n);
  return (
    <section className="panel" aria-labelledby={`inv-${investigation.id}`}>
      <div className="section-head">
        <h2 id={`inv-${investigation.id}`}>Automated investigation {investigation.id}</h2>
        <StatusBadge status={investigation.investigationState} />
      </div>
      <dl className="facts facts-inline">
        <dt>Playbook</dt>
        <dd>{investigation.playbook}</dd>
        <dt>Started</dt>
        <dd>
          <Time value={investigation.startTime} />
        </dd>
        <dt>Last update</dt>
        <dd>
          <Time value={investigation.lastUpdateTime} />
        </dd>
        <dt>Alerts</dt>
        <dd>{investigation.alertIds?.length ?? 0}</dd>
      </dl>
      <h3>
        Evidence ({evidence.length})
        {counts.length > 0 && (
          <span className="verdict-counts">
            {counts.map((c) => (
              <span key={c.v}>
                <VerdictBadge verdict={c.v} /> {c.n}
              </span>
            ))}
          </span>
        )}
      </h3>
      {evidence.length === 0 ? (
        <p className="muted">No evidence collected.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table evidence-table" aria-label="Evidence">
            <thead>
              <tr>
                <th>Entity</th>
                <th>Verdict</th>
                <th>Reasons</th>
              </tr>
            </thead>
            <tbody>
              {evidence.map((e) => (
                <tr key={e.entityKey}>
                  <td>
                    <span className="entity-cell">
                      <TypeIcon type={e.entityType} size={14} />
                      <span className="muted small">{typeLabel(e.entityType)}</span>
                    </span>
                    <EvidenceName entityKey={e.entityKey} story={story} />
                  </td>
                  <td>
                    <VerdictBadge verdict={e.verdict} />
                  </td>
                  <td>
                    {e.reasons.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <ul className="reasons">
                        {e.reasons.map((r, i) => (
                          <li key={i}>{r}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {investigation.log && investigation.log.length > 0 && (
        <details className="inv-log">
          <summary>Investigation log ({investigation.log.length} entries)</summary>
          <ol>
            {investigation.log.map((entry, i) => (
              <li key={i}>
                <Time value={entry.time} /> <span>{entry.message}</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}

export function EvidenceTab({ incidentId, story }: { incidentId: number; story?: Story }) {
  const { can } = useSession();
  const canRespond = can('responder');
  const [investigations, setInvestigations] = useState<Investigation[] | undefined>(undefined);
  const [invError, setInvError] = useState<Error | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const pending = useApi<ODataList<ResponseAction>>('/api/actioncenter/pending');
  const history = useApi<ODataList<ResponseAction>>('/api/actioncenter/history');
  const [confirm, setConfirm] = useState<Pending | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setInvError(undefined);
    loadInvestigations(incidentId, controller.signal)
      .then(setInvestigations)
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setInvError(e);
      });
    return () => controller.abort();
  }, [incidentId, generation]);

  const reloadAll = useCallback(() => {
    pending.reload();
    history.reload();
    setGeneration((g) => g + 1);
  }, [pending, history]);

  const actions = useMemo(() => {
    const mine = (list?: ODataList<ResponseAction>) => (list?.value ?? []).filter((a) => a.incidentId === incidentId);
    const waiting = mine(pending.data).sort((a, b) => b.id - a.id);
    const done = mine(history.data).sort((a, b) => b.id - a.id);
    return { waiting, done };
  }, [pending.data, history.data, incidentId]);

  const open = (action: ResponseAction, verb: Verb, opener: HTMLElement) => {
    setMessage(null);
    setConfirm({ action, verb, opener });
  };
  const close = () => {
    const opener = confirm?.opener;
    setConfirm(null);
    // Back to the button that opened the dialog (if it is still there).
    setTimeout(() => opener?.isConnected && opener.focus(), 0);
  };

  const actionRows = (list: ResponseAction[], kind: 'waiting' | 'done') =>
    list.map((action) => {
      const target = targetText(action.target);
      const undoable = kind === 'done' && action.status === 'Succeeded' && UNDOABLE.has(action.type) && !action.undoneBy;
      return (
        <tr key={action.id}>
          <td className="mono">{action.id}</td>
          <td>
            <strong>{humanize(action.type)}</strong>
            <div className="muted small">{action.source}</div>
          </td>
          <td>
            <div className="break" title={JSON.stringify(action.target)}>
              {target.main}
            </div>
            {target.detail && <div className="muted small">{target.detail}</div>}
          </td>
          <td className="small">{action.reason}</td>
          <td>
            <StatusBadge status={action.status} />
            {kind === 'done' && action.approval !== 'NotRequired' && <div className="muted small">Approval: {humanize(action.approval)}</div>}
            {action.resultMessage && <div className="muted small">{action.resultMessage}</div>}
          </td>
          <td className="small">
            <Time value={usToIso(action.createdUs)} />
            <div className="muted">{action.decidedBy ? `decided by ${action.decidedBy}` : `by ${action.requestor}`}</div>
          </td>
          <td className="action-buttons">
            {canRespond && kind === 'waiting' && (
              <>
                <button type="button" className="btn btn-small btn-primary" onClick={(e) => open(action, 'approve', e.currentTarget)}>
                  Approve
                </button>
                <button type="button" className="btn btn-small" onClick={(e) => open(action, 'reject', e.currentTarget)}>
                  Reject
                </button>
              </>
            )}
            {canRespond && undoable && (
              <button type="button" className="btn btn-small" onClick={(e) => open(action, 'undo', e.currentTarget)}>
                Undo
              </button>
            )}
          </td>
        </tr>
      );
    });

  const actionsTable = (list: ResponseAction[], kind: 'waiting' | 'done', label: string) => (
    <div className="table-wrap">
      <table className="data-table actions-table" aria-label={label}>
        <thead>
          <tr>
            <th>Id</th>
            <th>Action</th>
            <th>Target</th>
            <th>Reason</th>
            <th>Status</th>
            <th>Requested</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>{actionRows(list, kind)}</tbody>
      </table>
    </div>
  );

  const actionsError = pending.error ?? history.error;
  return (
    <div className="evidence-tab">
      <section className="panel" aria-labelledby="actions-title">
        <div className="section-head">
          <h2 id="actions-title">Response actions</h2>
          <button type="button" className="btn btn-small" onClick={reloadAll}>
            Refresh
          </button>
        </div>
        {message && (
          <p className="notice" role="status">
            {message}
          </p>
        )}
        {!canRespond && (
          <p className="muted small">Approving, rejecting and undoing actions needs the responder role.</p>
        )}
        {actionsError ? (
          <ErrorState error={actionsError} onRetry={reloadAll} />
        ) : pending.data === undefined || history.data === undefined ? (
          <Loading what="Loading actions" />
        ) : actions.waiting.length + actions.done.length === 0 ? (
          <Empty>No response actions were proposed for this incident.</Empty>
        ) : (
          <>
            <h3>Awaiting approval ({actions.waiting.length})</h3>
            {actions.waiting.length === 0 ? (
              <p className="muted">Nothing awaits approval.</p>
            ) : (
              actionsTable(actions.waiting, 'waiting', 'Actions awaiting approval')
            )}
            <h3>History ({actions.done.length})</h3>
            {actions.done.length === 0 ? (
              <p className="muted">No actions yet.</p>
            ) : (
              actionsTable(actions.done, 'done', 'Action history')
            )}
          </>
        )}
      </section>

      {invError ? (
        <ErrorState error={invError} onRetry={() => setGeneration((g) => g + 1)} />
      ) : investigations === undefined ? (
        <Loading what="Loading the investigation" />
      ) : investigations.length === 0 ? (
        <Empty>No automated investigation ran for this incident.</Empty>
      ) : (
        investigations.map((inv) => <InvestigationView key={inv.id} investigation={inv} story={story} />)
      )}

      {confirm && (
        <ConfirmDialog
          pending={confirm}
          onCancel={close}
          onDone={(text) => {
            close();
            setMessage(text);
            reloadAll();
          }}
        />
      )}
    </div>
  );
}
