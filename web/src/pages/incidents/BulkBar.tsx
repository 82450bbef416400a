// Bulk changes to the selected incidents: assign, set status, classify. Each incident is
// PATCHed on its own; progress and per-incident failures stay visible until dismissed.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useSession } from '../../auth/session';
import { patchIncidents, type BulkProgress, type IncidentChange } from './bulk';
import { CLASSIFICATIONS, SETTABLE_STATUSES, humanize, incidentDeterminations } from './model';
import { SelectField } from '../../components/SelectField';

export interface BulkRun extends BulkProgress {
  what: string;
}

// Runs a bulk change, reporting progress through `onProgress`; resolves with the failed ids.
export async function runBulk(
  ids: number[],
  what: string,
  change: IncidentChange,
  onProgress: (run: BulkRun) => void,
): Promise<number[]> {
  const final = await patchIncidents([...ids].sort((a, b) => a - b), change, (p) => onProgress({ ...p, what }));
  return final.failures.map((f) => f.id);
}

export function BulkBar({
  ids,
  busy,
  onRun,
  onClear,
}: {
  ids: number[];
  busy: boolean;
  onRun: (what: string, change: IncidentChange) => void;
  onClear: () => void;
}) {
  const { user } = useSession();
  const [assignee, setAssignee] = useState('');
  const [status, setStatus] = useState<string>('InProgress');
  const [classification, setClassification] = useState<string>('TruePositive');
  const [determination, setDetermination] = useState<string>('NotAvailable');
  const run = onRun;

  const count = `${ids.length} incident${ids.length === 1 ? '' : 's'}`;
  return (
    <section className="panel bulk-bar" aria-label="Bulk actions">
      <div className="bulk-row">
        <strong className="bulk-count">{count} selected</strong>
        <form
          className="bulk-group"
          onSubmit={(e) => {
            e.preventDefault();
            if (assignee.trim()) run(`Assigning to ${assignee.trim()}`, { assignedTo: assignee.trim() });
          }}
        >
          <label>
            Assign to
            <input value={assignee} onChange={(e) => setAssignee(e.target.value)} placeholder="user name" size={14} />
          </label>
          <button type="submit" className="btn" disabled={busy || !assignee.trim()}>
            Assign
          </button>
          {user && (
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() => run(`Assigning to ${user.name}`, { assignedTo: user.name })}
            >
              Assign to me
            </button>
          )}
        </form>
        <form
          className="bulk-group"
          onSubmit={(e) => {
            e.preventDefault();
            run(`Setting status ${humanize(status)}`, { status });
          }}
        >
          <label>
            Status
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              {SETTABLE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn" disabled={busy}>
            Set status
          </button>
        </form>
        <form
          className="bulk-group"
          onSubmit={(e) => {
            e.preventDefault();
            run(`Classifying as ${humanize(classification)}`, { classification, determination });
          }}
        >
          <SelectField
            label="Classification"
            value={classification}
            onChange={(v) => {
              setClassification(v);
              setDetermination('NotAvailable');
            }}
            options={CLASSIFICATIONS}
            optionLabel={humanize}
          />
          <label>
            Determination
            <select value={determination} onChange={(e) => setDetermination(e.target.value)}>
              {incidentDeterminations(classification).map((d) => (
                <option key={d} value={d}>
                  {d === 'NotAvailable' ? 'Not available' : humanize(d)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn" disabled={busy}>
            Classify
          </button>
        </form>
        <button type="button" className="btn btn-quiet" onClick={onClear} disabled={busy}>
          Clear selection
        </button>
      </div>
    </section>
  );
}

export function BulkStatus({ run, onDismiss }: { run: BulkRun; onDismiss: () => void }) {
  const finished = run.done === run.total;
  return (
    <section className={`panel bulk-status${run.failures.length ? ' has-failures' : ''}`} aria-label="Bulk update">
      <div className="bulk-progress" role="status" aria-live="polite">
        <span>
          {run.what}: {run.done} of {run.total} done
          {finished && (run.failures.length === 0 ? ', all succeeded.' : `, ${run.failures.length} failed.`)}
        </span>
        <progress max={run.total} value={run.done} aria-label="Bulk update progress" />
        {finished && (
          <button type="button" className="btn btn-small btn-quiet" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      {run.failures.length > 0 && (
        <ul className="bulk-failures" aria-label="Failed updates">
          {run.failures.map((f) => (
            <li key={f.id}>
              <Link to={`/incidents/${f.id}`}>Incident {f.id}</Link>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
