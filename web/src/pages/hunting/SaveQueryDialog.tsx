// Save (or save as) the current query: name, description, shared with the other users.
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { Dialog, DialogButtons } from '../../components/Dialog';
import type { SavedQuery } from './types';
import { useSubmit } from '../../components/useSubmit';

interface Props {
  query: string;
  // given: "Save" of an own saved query (PATCH); absent: a new one (POST)
  existing?: SavedQuery | null;
  initialName?: string;
  onSaved: (saved: SavedQuery) => void;
  onClose: () => void;
}

export function SaveQueryDialog({ query, existing, initialName, onSaved, onClose }: Props) {
  const [name, setName] = useState(existing?.name ?? initialName ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [shared, setShared] = useState(existing?.shared ?? false);
  const { busy, error, setError, run } = useSubmit();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the query a name.');
      return;
    }
    await run(async () => {
      const body = { name: name.trim(), query, description: description.trim(), shared };
      const saved = existing
        ? await api.patch<SavedQuery>(`/api/hunting/queries/${encodeURIComponent(existing.id)}`, body)
        : await api.post<SavedQuery>('/api/hunting/queries', body);
      onSaved(saved ?? { id: existing?.id ?? '', owner: existing?.owner ?? '', ...body });
    });
  };

  return (
    <Dialog title={existing ? 'Save query' : 'Save query as'} onClose={onClose}>
      <form className="modal-form hunt-form" onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus maxLength={200} />
        </label>
        <label>
          Description
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={2000} />
        </label>
        <label className="hunt-check">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
          <span>Shared with everyone on this server</span>
        </label>
        <DialogButtons confirm="Save" busyLabel="Saving…" busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
