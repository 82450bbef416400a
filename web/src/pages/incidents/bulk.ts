// Applies one change to many incidents: a PATCH per incident (the API has no batch route for
// incidents), a few at a time, reporting progress and collecting each failure with its message.
import { api } from '../../api/client';

export interface IncidentChange {
  status?: string;
  assignedTo?: string;
  classification?: string;
  determination?: string;
  tags?: string[];
  comment?: string;
}

export interface BulkFailure {
  id: number;
  message: string;
}

export interface BulkProgress {
  done: number;
  total: number;
  failures: BulkFailure[];
}

export async function patchIncidents(
  ids: number[],
  change: IncidentChange,
  onProgress: (progress: BulkProgress) => void,
  concurrency = 4,
): Promise<BulkProgress> {
  const progress: BulkProgress = { done: 0, total: ids.length, failures: [] };
  onProgress({ ...progress });
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        await api.patch(`/api/incidents/${id}`, change);
      } catch (e) {
        progress.failures.push({ id, message: (e as Error).message });
      }
      progress.done += 1;
      onProgress({ ...progress, failures: [...progress.failures] });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  progress.failures.sort((a, b) => a.id - b.id);
  return progress;
}
