// Confirms one device response action with a comment (required by the API), then posts it.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client';
import type { MachineAction } from '../../api/types';
import { Dialog, DialogButtons } from '../../components/Dialog';
import { useSubmit } from '../../components/useSubmit';
import { responseActionBody, type ResponseActionSpec } from './deviceModel';

// Why the server refused the action, in the responder's words.
function describeFailure(err: Error): string {
  if (err instanceof ApiError && err.status === 400 && /already|pending|progress/i.test(err.message))
    return `Already pending: ${err.message}. Wait for it to finish or cancel it first.`;
  if (err instanceof ApiError && err.status === 403) return 'Your role cannot run response actions (responder or admin needed).';
  return err.message;
}

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
  const { busy, error, setError, run } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!comment.trim()) {
      setError('A comment is required: it is kept with the action for the audit trail.');
      return;
    }
    await run(async () => {
      const action = await api.post<MachineAction>(
        `/api/machines/${encodeURIComponent(machineId)}/${spec.path}`,
        responseActionBody(spec, comment, option),
      );
      onDone(action);
    }, describeFailure);
  };

  return (
    <Dialog title={`${spec.label}: ${machineName}`} onClose={onClose}>
      <form className="modal-form" onSubmit={submit}>
        <p className="muted modal-desc">{spec.description}</p>
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
        <DialogButtons confirm={spec.label} busyLabel="Submitting…" busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
