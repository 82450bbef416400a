// Confirms one device response action with a comment (required by the API), then posts it.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client';
import type { MachineAction } from '../../api/types';
import { Modal } from './common';
import { responseActionBody, type ResponseActionSpec } from './deviceModel';

export function ResponseDialog({
  spec,
  machineId,
  machineName,
  onClose,
  onDone,
}: {
  spec: ResponseActionSpec;
  machineId: string;
  machineName: string;
  onClose: () => void;
  onDone: (action: MachineAction) => void;
}) {
  const [comment, setComment] = useState('');
  const [option, setOption] = useState(spec.option?.choices[0] ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!comment.trim()) {
      setError('A comment is required: it is kept with the action for the audit trail.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const action = await api.post<MachineAction>(
        `/api/machines/${encodeURIComponent(machineId)}/${spec.path}`,
        responseActionBody(spec, comment, option),
      );
      onDone(action);
    } catch (e) {
      const err = e as Error;
      if (err instanceof ApiError && err.status === 400 && /already|pending|progress/i.test(err.message)) {
        setError(`Already pending: ${err.message}. Wait for it to finish or cancel it first.`);
      } else if (err instanceof ApiError && err.status === 403) {
        setError('Your role cannot run response actions (responder or admin needed).');
      } else {
        setError(err.message);
      }
      setBusy(false);
    }
  };

  return (
    <Modal title={`${spec.label}: ${machineName}`} onClose={onClose}>
      <form className="ent-form" onSubmit={submit}>
        <p className="muted ent-desc">{spec.description}</p>
        {spec.option && (
          <label>
            {spec.option.label}
            <select value={option} onChange={(e) => setOption(e.target.value)}>
              {spec.option.choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Comment (required)
          <textarea
            rows={3}
            value={comment}
            autoFocus
            onChange={(e) => setComment(e.target.value)}
            placeholder="Why is this action needed? e.g. incident number, ticket"
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="ent-form-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Submitting…' : spec.label}
          </button>
        </div>
      </form>
    </Modal>
  );
}
